// The file of the local `DB` database (the control plane, and the shard the default organization is
// on) under a wrangler state directory. Every D1 binding has its own file there, named by a hash; `DB`
// is the one whose organizations have real slugs (other shards hold only `#<id>` anchor rows).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export function controlPlaneFile(persistTo) {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  for (const file of files) {
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const row = db.prepare("SELECT COUNT(*) AS n FROM organizations WHERE slug NOT LIKE '#%'").get();
      if (row.n > 0) return join(dir, file);
    } catch {
      // A database without the schema yet is not the control plane.
    } finally {
      db.close();
    }
  }
  throw new Error(`no local D1 database with organizations under ${dir}`);
}
