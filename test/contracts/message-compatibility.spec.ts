import * as contracts from '@commerce/contracts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { breakingChanges, type JsonSchema } from '../support/schema-compatibility';

// The message contracts as released (committed) against the current ones. A release updates the
// file: UPDATE_RELEASED_CONTRACTS=1 npm run jest -- test/contracts (docs/adr/0014).
const RELEASED = resolve(__dirname, '../../libs/contracts/released/messages.json');
type Released = Record<string, { kind: string; payload: JsonSchema; result: JsonSchema }>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};
/** Every contract the kit serves now: payloads as readers parse them, results as callers read them. */
const current: Released = Object.fromEntries(
  contracts.messageContracts().map((c) => [c.type, { kind: c.kind, payload: jsonSchema(c.schema, 'input'), result: jsonSchema(c.resultSchema, 'output') }]),
);

if (process.env.UPDATE_RELEASED_CONTRACTS === '1') writeFileSync(RELEASED, `${JSON.stringify(current, null, 2)}\n`);
const released = (existsSync(RELEASED) ? JSON.parse(readFileSync(RELEASED, 'utf8')) : {}) as Released;

describe('message contracts against the released ones', () => {
  it('has a released snapshot of every contract', () => {
    expect(Object.keys(released).length).toBeGreaterThan(0);
  });

  it('still serves every released message type (a new version is added beside the old one)', () => {
    expect(Object.keys(released).filter((type) => !current[type])).toEqual([]);
  });

  it('changes no released contract in a way that breaks a reader of the other version', () => {
    const breaks = Object.entries(released)
      .filter(([type]) => current[type])
      .flatMap(([type, old]) => [
        ...breakingChanges(old.payload, current[type].payload).map((b) => `${type} payload ${b}`),
        ...breakingChanges(old.result, current[type].result).map((b) => `${type} result ${b}`),
        ...(old.kind === current[type].kind ? [] : [`${type}: kind changed from ${old.kind} to ${current[type].kind}`]),
      ]);
    expect(breaks).toEqual([]);
  });
});

describe('the compatibility rules', () => {
  const v1 = jsonSchema(z.strictObject({ orderId: z.uuid(), reason: z.string(), note: z.string().optional(), status: z.enum(['A', 'B']) }), 'input');
  const check = (next: z.ZodType) => breakingChanges(v1, jsonSchema(next, 'input'));

  it('let an optional field be added or an optional one removed', () => {
    expect(check(z.strictObject({ orderId: z.uuid(), reason: z.string(), status: z.enum(['A', 'B']), channel: z.string().optional() }))).toEqual([]);
  });

  it('name a removed required field, a new required field, a changed type and changed values', () => {
    expect(check(z.strictObject({ orderId: z.uuid(), note: z.string().optional(), status: z.enum(['A', 'B']) }))).toEqual(['reason: required field removed']);
    expect(check(z.strictObject({ orderId: z.uuid(), reason: z.string(), note: z.string().optional(), status: z.enum(['A', 'B']), at: z.string() }))).toEqual([
      'at: new required field',
    ]);
    expect(check(z.strictObject({ orderId: z.uuid(), reason: z.number(), note: z.string().optional(), status: z.enum(['A', 'B']) }))).toEqual([
      'reason: type changed from string to number',
    ]);
    expect(check(z.strictObject({ orderId: z.uuid(), reason: z.string(), note: z.string(), status: z.enum(['A']) }))).toEqual([
      'note: became required',
      'status: allowed values changed from ["A","B"] to ["A"]',
    ]);
  });
});
