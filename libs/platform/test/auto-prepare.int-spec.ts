import { DataSource } from 'typeorm';
import { createContextDataSource, StatementNames } from '@commerce/platform';
import { assertPostgresAnswers, createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';

/** Named statements this connection holds, by their text. */
async function preparedOn(runner: { query(sql: string): Promise<unknown> }): Promise<Map<string, string>> {
  const rows = (await runner.query(`SELECT name, statement FROM pg_prepared_statements`)) as { name: string; statement: string }[];
  return new Map(rows.map((r) => [r.statement, r.name]));
}

describe('auto-prepared statements on real Postgres', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let names: StatementNames;

  beforeAll(async () => {
    await assertPostgresAnswers();
    scratch = await createScratchDatabase('commerce_it_prepare');
    names = new StatementNames(16);
    dataSource = createContextDataSource({ context: 'prep', migrations: [] }, { url: scratch.url }, 1, names);
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA prep`);
    await dataSource.query(`CREATE TABLE prep.item (id int PRIMARY KEY, label text NOT NULL, amount int NOT NULL)`);
    await dataSource.query(`INSERT INTO prep.item VALUES (1, 'one', 10), (2, 'two', 20)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await scratch?.drop();
  });

  it('runs a repeated parameterised statement as one named statement, with the same results', async () => {
    const sql = `SELECT id, label FROM prep.item WHERE id = ANY($1::int[]) ORDER BY id`;
    const runner = dataSource.createQueryRunner();
    try {
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await runner.query(sql, [[1, 2]]));
      expect(
        results.every(
          (r) =>
            JSON.stringify(r) ===
            JSON.stringify([
              { id: 1, label: 'one' },
              { id: 2, label: 'two' },
            ]),
        ),
      ).toBe(true);
      const held = await preparedOn(runner);
      expect(held.get(sql)).toBe(names.nameFor(sql));
      // A text run once stays unnamed; so does one without parameters.
      await runner.query(`SELECT label FROM prep.item WHERE id = $1`, [1]);
      await runner.query(`SELECT count(*) FROM prep.item`);
      await runner.query(`SELECT count(*) FROM prep.item`);
      const after = await preparedOn(runner);
      expect(after.has(`SELECT label FROM prep.item WHERE id = $1`)).toBe(false);
      expect(after.has(`SELECT count(*) FROM prep.item`)).toBe(false);
    } finally {
      await runner.release();
    }
  });

  it('keeps named statements working inside transactions, and after one rolls back', async () => {
    const insert = `INSERT INTO prep.item (id, label, amount) SELECT * FROM unnest($1::int[], $2::text[], $3::int[])`;
    await dataSource.transaction(async (m) => {
      await m.query(insert, [[10], ['ten'], [100]]);
      await m.query(insert, [[11], ['eleven'], [110]]);
    });
    await expect(
      dataSource.transaction(async (m) => {
        await m.query(insert, [[12], ['twelve'], [120]]);
        await m.query(insert, [[1], ['duplicate'], [0]]); // primary key violation: the whole transaction rolls back
      }),
    ).rejects.toThrow(/duplicate key/);
    await dataSource.query(insert, [[13], ['thirteen'], [130]]);
    const ids = ((await dataSource.query(`SELECT id FROM prep.item WHERE id >= $1 ORDER BY id`, [10])) as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual([10, 11, 13]);
    expect(names.nameFor(insert)).toBeDefined();
  });

  it('fails once when a column it returns changes type under it, then prepares the text afresh', async () => {
    const sql = `SELECT id, amount FROM prep.item WHERE id = $1`;
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(sql, [1]);
      expect(await runner.query(sql, [1])).toEqual([{ id: 1, amount: 10 }]);
      const before = names.nameFor(sql);
      await runner.query(`ALTER TABLE prep.item ALTER COLUMN amount TYPE bigint`);
      await expect(runner.query(sql, [1])).rejects.toThrow(/cached plan must not change result type/);
      expect(names.nameFor(sql)).not.toBe(before);
      expect(await runner.query(sql, [1])).toEqual([{ id: 1, amount: '10' }]); // bigint arrives as text from pg
    } finally {
      await runner.release();
    }
  });

  it('leaves a DataSource on the embedded server’s driver unnamed', () => {
    const embedded = createContextDataSource({ context: 'prep', migrations: [] }, { url: scratch.url, driver: {} }, 1, names);
    expect((embedded.options as { extra?: { Client?: unknown } }).extra?.Client).toBeUndefined();
  });
});
