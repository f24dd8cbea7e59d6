import { StatementNames } from './auto-prepare';

describe('StatementNames', () => {
  const text = 'SELECT id FROM catalog.product WHERE id = $1';

  it('names a text from its second use on, the same name every time', () => {
    const names = new StatementNames(10);
    expect(names.nameFor(text)).toBeUndefined();
    const name = names.nameFor(text);
    expect(name).toMatch(/^ck_\d+$/);
    expect(names.nameFor(text)).toBe(name);
    expect(names.nameFor(`${text} `)).toBeUndefined(); // another text, first use
  });

  it('gives distinct texts distinct names', () => {
    const names = new StatementNames(10, 1);
    const a = names.nameFor('SELECT $1::int');
    const b = names.nameFor('SELECT $1::text');
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('stops naming new texts at the cap and keeps the names it gave', () => {
    const names = new StatementNames(2, 1);
    const first = names.nameFor('SELECT $1::int');
    names.nameFor('SELECT $1::text');
    expect(names.nameFor('SELECT $1::bigint')).toBeUndefined();
    expect(names.size).toBe(2);
    expect(names.nameFor('SELECT $1::int')).toBe(first);
  });

  it('names nothing with a cap of 0', () => {
    const names = new StatementNames(0, 1);
    expect(names.nameFor(text)).toBeUndefined();
    expect(names.nameFor(text)).toBeUndefined();
  });

  it.each([
    'SELECT * FROM identity.app_user WHERE id = $1',
    'select t.* from identity.app_user t where id = $1',
    'INSERT INTO identity.app_user (id) VALUES ($1) RETURNING *',
    'UPDATE x SET a = $1 RETURNING x.*',
  ])('leaves a result that follows a table’s columns unnamed: %s', (sql) => {
    const names = new StatementNames(10, 1);
    expect(names.nameFor(sql)).toBeUndefined();
  });

  it('names a star over unnest, whose columns are the statement’s own', () => {
    const names = new StatementNames(10, 1);
    expect(names.nameFor('WITH i AS (SELECT * FROM unnest($1::uuid[]) AS t(id)) INSERT INTO a.b (id) SELECT id FROM i')).toBeDefined();
  });

  it('renames a text whose prepared form went stale', () => {
    const names = new StatementNames(10, 1);
    const before = names.nameFor(text);
    const after = names.rename(text);
    expect(after).not.toBe(before);
    expect(names.nameFor(text)).toBe(after);
  });
});
