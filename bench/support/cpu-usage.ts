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

/** Write syscalls (write, writev and the like) a process has made so far, from /proc/<pid>/io; 0 once it is gone. */
export function processWriteSyscalls(pid: number): number {
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
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

/** CPU seconds of every process named `name`, each one's total taken at both ends (one that exited in between has its time lost). */
function namedMeter(name: string): { start(): void; stop(): number } {
  let before = new Map<number, number>();
  const sample = () => new Map(pidsNamed(name).map((pid) => [pid, processCpuSeconds(pid)]));
  return {
    start: () => void (before = sample()),
    stop: () => {
      let used = 0;
      for (const [pid, total] of sample()) used += total - (before.get(pid) ?? 0);
      return used;
    },
  };
}

/**
 * CPU seconds used between `start()` and `stop()` by the given processes (in all, and each), by
 * every process named `postgres` (backends come and go: keep connections pooled while measuring)
 * and by the RabbitMQ broker's Erlang VM (`beam.smp`), which the split topology keeps busy and the
 * monolith does not; and the write syscalls of the given processes (each a socket write to
 * Postgres, the broker or a client, or a log line).
 */
export function cpuMeter(nodePids: () => number[]): {
  start(): void;
  stop(): { node: number; each: number[]; postgres: number; broker: number; nodeWrites: number };
} {
  let before: number[] = [];
  let writesBefore = 0;
  const writes = () => nodePids().reduce((sum, pid) => sum + processWriteSyscalls(pid), 0);
  const postgres = namedMeter('postgres');
  const broker = namedMeter('beam.smp');
  return {
    start: () => {
      before = nodePids().map(processCpuSeconds);
      writesBefore = writes();
      postgres.start();
      broker.start();
    },
    stop: () => {
      const each = nodePids().map((pid, i) => processCpuSeconds(pid) - (before[i] ?? 0));
      return { node: each.reduce((sum, s) => sum + s, 0), each, postgres: postgres.stop(), broker: broker.stop(), nodeWrites: writes() - writesBefore };
    },
  };
}
