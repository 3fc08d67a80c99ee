// A project's outcomes of the last 24 hours by category, outcome and reason — accepted, filtered (and by
// which filter), rate limited, too large, discarded by the SDK — one hourly bar chart each.
import { outcomeBuckets } from "../../db/outcome-stats.ts";
import { barChart, bucketize } from "../charts.ts";
import { compactNumber } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";

const HOUR = 3600;

export async function outcomesPanel(
  db: D1Database,
  projectId: number,
  now = Date.now() / 1000,
): Promise<SafeHtml> {
  const end = (Math.floor(now / HOUR) + 1) * HOUR;
  const start = end - 24 * HOUR;
  const rows = await outcomeBuckets(
    db,
    { projectIds: [projectId], start, end, categories: [], outcomes: [], reasons: [] },
    ["category", "outcome", "reason"],
    HOUR,
    2000,
  );
  const groups = new Map<
    string,
    { category: string; outcome: string; reason: string; rows: { at: number; n: number }[] }
  >();
  for (const r of rows) {
    const key = `${r.category}\u0000${r.outcome}\u0000${r.reason}`;
    const g = groups.get(key) ?? {
      category: r.category ?? "",
      outcome: r.outcome ?? "",
      reason: r.reason ?? "",
      rows: [],
    };
    g.rows.push({ at: r.bucket, n: r.quantity });
    groups.set(key, g);
  }
  const sorted = [...groups.values()]
    .map((g) => ({ ...g, total: g.rows.reduce((n, r) => n + r.n, 0) }))
    .sort((a, b) => b.total - a.total);
  const body =
    sorted.length === 0
      ? html`<p class="muted">Nothing received in the last 24 hours.</p>`
      : html`<table class="stack"><thead><tr><th>Category</th><th>Outcome</th><th>Reason</th><th class="num">24 h</th><th>By hour</th></tr></thead><tbody>${sorted.map(
          (g) => {
            const hours = bucketize(g.rows, now, HOUR, 24);
            const bars = hours.map((value, i) => ({ label: `${23 - i} h ago`, value }));
            return html`<tr><td>${g.category}</td><td>${g.outcome}</td><td><code>${g.reason || "—"}</code></td><td class="num">${compactNumber(g.total)}</td><td>${barChart(bars, 192, 28)}</td></tr>`;
          },
        )}</tbody></table>`;
  return html`<div class="panel"><h2 style="margin-top:0">Outcomes, last 24 hours</h2>${body}</div>`;
}
