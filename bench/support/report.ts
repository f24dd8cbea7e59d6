/** Prints a titled two-column table of figures. */
export function printFigures(title: string, rows: string[][]): void {
  process.stdout.write(`\n${title}\n\n`);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [what, figure] of rows) process.stdout.write(`${what.padEnd(width)}  |  ${figure}\n`);
}

/** Runs a bench's main and exits with its outcome. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
