// A D1 that fails on purpose, for the fault tests and `npm run bench:faults`: every call can be made to
// fail for a window, fail a fraction of the time, answer slowly, or commit a batch and then report a
// failure (as a timeout does when the commit landed but its answer was lost). Never loaded by the
// production Worker: test/faults/worker.ts puts it in front of the real binding.

export interface D1Faults {
  /** Every call fails until this time (ms since the epoch). */
  downUntil?: number;
  /** Fraction (0–1) of calls that fail before reaching D1. */
  failRate?: number;
  /** Milliseconds added before every call. */
  latencyMs?: number;
  /** Batches holding a statement whose SQL contains `sql` wait `ms` first (kinds of writes made slow). */
  slowBatches?: { sql: string; ms: number }[];
  /** Fraction (0–1) of batches that are committed and then reported as failed. */
  commitThenFailRate?: number;
  /**
   * Where the faults apply: only to the D1 of the project objects (their flushes fail while the
   * Worker's reads and the API work), or only to the Worker's. Both when unset.
   */
  only?: D1Site;
}

/** Who holds the wrapped D1: the Worker (ingest edge, API, UI) or a project's Durable Object. */
export type D1Site = "edge" | "object";

/** What the wrapper has done, for assertions. */
export interface D1FaultCounts {
  calls: number;
  failed: number;
  committedThenFailed: number;
}

// Module state: the Worker and the Durable Objects of one workerd isolate share it.
let faults: D1Faults = {};
const counts: D1FaultCounts = { calls: 0, failed: 0, committedThenFailed: 0 };

export function setD1Faults(next: D1Faults): void {
  faults = { ...next };
}

export function d1FaultCounts(): D1FaultCounts {
  return { ...counts };
}

/** The error a lost D1 connection gives (transient: the caller may retry). */
function unavailable(): Error {
  return new Error("D1_ERROR: Network connection lost. (injected fault)");
}

async function gate(site: D1Site): Promise<void> {
  counts.calls += 1;
  const { latencyMs = 0, downUntil = 0, failRate = 0, only } = faults;
  if (only !== undefined && only !== site) return;
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
  if (Date.now() < downUntil || (failRate > 0 && Math.random() < failRate)) {
    counts.failed += 1;
    throw unavailable();
  }
}

const inner = new WeakMap<object, D1PreparedStatement>();

class FaultyStatement {
  constructor(
    private readonly statement: D1PreparedStatement,
    private readonly site: D1Site,
  ) {
    inner.set(this, statement);
  }
  bind(...values: unknown[]): D1PreparedStatement {
    return wrapStatement(this.statement.bind(...values), this.site);
  }
  async first<T>(column?: string): Promise<T | null> {
    await gate(this.site);
    return column === undefined ? this.statement.first<T>() : this.statement.first<T>(column);
  }
  async run<T>(): Promise<D1Result<T>> {
    await gate(this.site);
    return this.statement.run<T>();
  }
  async all<T>(): Promise<D1Result<T>> {
    await gate(this.site);
    return this.statement.all<T>();
  }
  async raw<T extends unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    await gate(this.site);
    // The real overloads differ only in whether the first row holds the column names.
    const real = this.statement as unknown as { raw(o?: { columnNames?: boolean }): Promise<T[]> };
    return real.raw(options);
  }
}

function wrapStatement(statement: D1PreparedStatement, site: D1Site): D1PreparedStatement {
  return new FaultyStatement(statement, site) as unknown as D1PreparedStatement;
}

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return inner.get(statement) ?? statement;
}

/** `db` behind the faults set with setD1Faults, as held by `site`. */
export function faultyD1(db: D1Database, site: D1Site): D1Database {
  const wrapped = {
    prepare: (query: string) => wrapStatement(db.prepare(query), site),
    async batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      await gate(site);
      const real = statements.map(unwrap);
      const sql = real.map((s) => (s as { statement?: string }).statement ?? "");
      const slow = faults.only !== undefined && faults.only !== site ? [] : (faults.slowBatches ?? []);
      const wait = Math.max(0, ...slow.filter((f) => sql.some((q) => q.includes(f.sql))).map((f) => f.ms));
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const results = await db.batch<T>(real);
      const rate = faults.only !== undefined && faults.only !== site ? 0 : (faults.commitThenFailRate ?? 0);
      if (rate > 0 && Math.random() < rate) {
        counts.committedThenFailed += 1;
        throw unavailable();
      }
      return results;
    },
    async exec(query: string): Promise<D1ExecResult> {
      await gate(site);
      return db.exec(query);
    },
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  };
  return wrapped as unknown as D1Database;
}
