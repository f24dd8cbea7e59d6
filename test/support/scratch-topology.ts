import { Client } from 'pg';
import { createScratchDatabase, ScratchDatabase } from './postgres';
import { RunningTopology, startTopology, TopologyName } from './topology';

/** A topology on a scratch database of its own, with a pg client on that database. */
export interface ScratchTopology {
  running: RunningTopology;
  pg: Client;
  url: string;
}

/**
 * Boots a topology on a new scratch database in `beforeAll` (env exactly as given) and tears down
 * client, topology and database in `afterAll`, then runs `afterClose`. The returned object is filled once `beforeAll` ran.
 */
export function useScratchTopology(database: string, topology: TopologyName, env: Record<string, string>, afterClose?: () => void): ScratchTopology {
  let scratch: ScratchDatabase | undefined;
  const t = {} as ScratchTopology;

  beforeAll(async () => {
    scratch = await createScratchDatabase(database);
    t.url = scratch.url;
    t.running = await startTopology(topology, scratch.url, env);
    t.pg = new Client({ connectionString: scratch.url });
    await t.pg.connect();
  }, 180_000);

  afterAll(async () => {
    await t.pg?.end();
    await t.running?.close();
    await scratch?.drop();
    afterClose?.();
  });

  return t;
}
