// Which event shard this project's object writes to (docs/scaling.md). The object learns it from the
// envelopes the Worker hands it (the DSN key's organization carries its shard, so ingest pays no extra
// query) and keeps it in its own storage, so the alarm paths — the spool's flush after a restart,
// retention, monitors, late symbolication — write where the envelopes went. An object that never saw
// an envelope holds nothing of its project, and routes to `DB`, where every organization made before
// shards existed lives.
import { CONTROL_SHARD, routedD1 } from "../db/shards.ts";

const SHARD_KEY = "shard";

export class ShardRoute {
  private name = CONTROL_SHARD;
  private readonly opened = new Map<string, D1Database>();
  /** The shard's database, for the object's parts: every call runs on the shard known at that moment. */
  readonly db: D1Database;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly open: (name: string) => D1Database,
  ) {
    this.db = routedD1(() => this.database(this.name));
  }

  /** The shard as stored by an earlier instance (run before the object serves anything). */
  async load(): Promise<void> {
    this.name = (await this.storage.get<string>(SHARD_KEY)) ?? CONTROL_SHARD;
    this.database(this.name);
  }

  /** The shard an envelope names (absent in envelopes spooled before shards existed: no change). */
  learn(name: string | undefined): void {
    if (name === undefined || name === this.name) return;
    // Resolved first: an unknown name throws here, before anything is written to the wrong place.
    this.database(name);
    this.name = name;
    // Durable with the spool write of the same envelope (the output gate holds the answer for both).
    void this.storage.put(SHARD_KEY, name);
  }

  get current(): string {
    return this.name;
  }

  private database(name: string): D1Database {
    let db = this.opened.get(name);
    if (!db) {
      db = this.open(name);
      this.opened.set(name, db);
    }
    return db;
  }
}
