// Counting an attack category: how many things were tried, how many misbehaved, and a few examples.

const EXAMPLES = 5;

export interface Tally {
  name: string;
  tried: number;
  misbehaved: number;
  examples: string[];
  ms: number;
}

export interface Counter {
  tally: Tally;
  /** Runs one try; a thrown error (a failed check) counts as misbehaviour, with its message. */
  attempt(what: string, run: () => Promise<void>): Promise<void>;
  /** Counts one misbehaviour found outside a try (a log line, a leftover connection). */
  misbehaved(why: string): void;
  done(): Tally;
}

/** Starts counting a category. */
export function createCounter(name: string): Counter {
  const started = performance.now();
  const tally: Tally = { name, tried: 0, misbehaved: 0, examples: [], ms: 0 };
  const misbehaved = (why: string): void => {
    tally.misbehaved++;
    if (tally.examples.length < EXAMPLES) tally.examples.push(why.replace(/\s+/g, ' ').slice(0, 300));
  };
  return {
    tally,
    async attempt(what, run) {
      tally.tried++;
      try {
        await run();
      } catch (error) {
        misbehaved(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    misbehaved,
    done() {
      tally.ms = performance.now() - started;
      return tally;
    },
  };
}

/** Prints the tallies as a table, with the examples of misbehaviour under it. */
export function printTallies(tallies: readonly Tally[], notes: readonly string[]): void {
  const rows = [['category', 'tried', 'misbehaved', 'seconds'], ...tallies.map((t) => [t.name, String(t.tried), String(t.misbehaved), (t.ms / 1000).toFixed(1)])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}\n`);
  const total = tallies.reduce((sum, t) => ({ tried: sum.tried + t.tried, misbehaved: sum.misbehaved + t.misbehaved }), { tried: 0, misbehaved: 0 });
  process.stdout.write(`${'total'.padEnd(widths[0]!)}  ${String(total.tried).padStart(widths[1]!)}  ${String(total.misbehaved).padStart(widths[2]!)}\n`);
  for (const note of notes) process.stdout.write(`${note}\n`);
  for (const t of tallies) for (const example of t.examples) process.stdout.write(`  ${t.name}: ${example}\n`);
}
