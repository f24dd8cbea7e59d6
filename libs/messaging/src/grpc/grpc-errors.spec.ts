import { DomainError, ErrorKind } from '@commerce/contracts';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_METADATA, fromGrpcError, toGrpcError } from './grpc-errors';

const call = { type: 'catalog.get-product.v1', timeoutMs: 3000 };
const serviceError = (code: Status, metadata = new Metadata(), details = 'channel says: 10.0.0.7:50051 refused'): ServiceError =>
  Object.assign(new Error(details), { code, details, metadata });

describe('gRPC errors', () => {
  it.each<[ErrorKind, Status]>([
    ['invalid', Status.INVALID_ARGUMENT],
    ['unauthorized', Status.UNAUTHENTICATED],
    ['forbidden', Status.PERMISSION_DENIED],
    ['not-found', Status.NOT_FOUND],
    ['conflict', Status.FAILED_PRECONDITION],
    ['unavailable', Status.UNAVAILABLE],
    ['timeout', Status.DEADLINE_EXCEEDED],
    ['internal', Status.INTERNAL],
  ])('answers a %s error with status %s and brings the same error back', (kind, status) => {
    const sent = { code: 'CATALOG.SOMETHING', kind, message: 'it went wrong', details: { productId: 'p-1' } };
    const grpc = toGrpcError(sent);
    expect(grpc.code).toBe(status);
    expect(grpc.details).toBe('it went wrong');
    const back = fromGrpcError(serviceError(grpc.code, grpc.metadata), call);
    expect(back).toBeInstanceOf(DomainError);
    expect(back.toPayload()).toEqual(sent);
  });

  it.each<[Status, string, ErrorKind]>([
    [Status.DEADLINE_EXCEEDED, 'MESSAGING.TIMEOUT', 'timeout'],
    [Status.UNAVAILABLE, 'MESSAGING.UNAVAILABLE', 'unavailable'],
    [Status.UNIMPLEMENTED, 'MESSAGING.NO_HANDLER', 'unavailable'],
    [Status.NOT_FOUND, 'GRPC.NOT_FOUND', 'not-found'],
    [Status.RESOURCE_EXHAUSTED, 'GRPC.RESOURCE_EXHAUSTED', 'unavailable'],
    [Status.UNKNOWN, 'GRPC.UNKNOWN', 'internal'],
  ])('maps status %s without our error to %s (%s)', (status, code, kind) => {
    const error = fromGrpcError(serviceError(status), call);
    expect({ code: error.code, kind: error.kind }).toEqual({ code, kind });
    expect(error.message).toContain(call.type);
    expect(error.message).not.toMatch(/10\.0\.0\.7|refused/);
  });

  it('says how long it waited when the deadline passed', () => {
    expect(fromGrpcError(serviceError(Status.DEADLINE_EXCEEDED), call).message).toBe('catalog.get-product.v1 got no reply within 3000 ms');
  });

  it('falls back to the status when the error metadata is not one of ours', () => {
    const metadata = new Metadata();
    metadata.set(ERROR_METADATA, Buffer.from('{"code":42}'));
    expect(fromGrpcError(serviceError(Status.NOT_FOUND, metadata), call)).toMatchObject({ code: 'GRPC.NOT_FOUND', kind: 'not-found' });
  });
});
