import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux everywhere in practice). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pids of every process whose command is `name` (all Postgres backends, for instance). */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * CPU seconds used between `start()` and `stop()` by the given processes and by every process
 * named `postgres` (backends come and go: each one's total is taken at both ends, and a backend
 * that exited in between has its used time lost, so keep connections pooled while measuring).
 */
export function cpuMeter(nodePids: () => number[]): { start(): void; stop(): { node: number; postgres: number } } {
  let before = { node: 0, postgres: new Map<number, number>() };
  const sample = () => ({
    node: nodePids().reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    postgres: new Map(pidsNamed('postgres').map((pid) => [pid, processCpuSeconds(pid)])),
  });
  return {
    start: () => void (before = sample()),
    stop: () => {
      const after = sample();
      let postgres = 0;
      for (const [pid, used] of after.postgres) postgres += used - (before.postgres.get(pid) ?? 0);
      return { node: after.node - before.node, postgres };
    },
  };
}
