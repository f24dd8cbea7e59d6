import { RequestValidationError } from '@commerce/platform';
import { uuidParam } from './uuid-param.pipe';

describe('uuidParam', () => {
  it('passes a UUID of any version, nil and max, synchronously', () => {
    for (const id of [
      'b7be63c6-2a27-4ecf-9911-f778c042a9f9',
      '017f22e2-79b0-7cc3-98c4-dc0c0c07398f',
      '00000000-0000-0000-0000-000000000000',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    ]) {
      expect(uuidParam.transform(id)).toBe(id);
    }
  });

  it('refuses anything else with a 400 naming the field', () => {
    for (const bad of ['nope', 'b7be63c6-2a27-4ecf-9911-f778c042a9f', 'b7be63c6-2a27-0ecf-9911-f778c042a9f9', 42, undefined]) {
      let error: unknown;
      try {
        uuidParam.transform(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).errors).toEqual([{ path: 'id', message: 'id must be a UUID' }]);
    }
  });
});
