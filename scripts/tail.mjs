// `npm run faultline -- tail`: a live stream of what a project receives, from a running Faultline (the
// WebSocket `GET /api/0/projects/{org}/{project}/tail/`): one line per item, accepted or dropped with
// its reason. Defaults fit `npm start` (see receipt.mjs). `--count N` stops after N items; `--json`
// prints the records as JSON lines.
import { connection } from "./receipt.mjs";

export function formatTailItem(it) {
  const time = new Date(it.at * 1000).toISOString().slice(11, 19);
  const parts = [time, it.status.padEnd(8), it.kind];
  if (it.quantity > 1) parts.push(`×${it.quantity}`);
  if (it.level) parts.push(it.level);
  if (it.title) parts.push(JSON.stringify(it.title));
  if (it.status === "dropped") parts.push(`(${it.outcome}${it.reason ? `: ${it.reason}` : ""})`);
  if (it.eventId) parts.push(it.eventId);
  return parts.join("  ");
}

export function tail(options, out = (line) => console.log(line)) {
  const { url, token, org, project } = connection(options);
  const limit = options.count === undefined ? Number.POSITIVE_INFINITY : Number(options.count);
  const ws = new WebSocket(
    `${url.replace(/^http/, "ws")}/api/0/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/tail/`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  let seen = 0;
  return new Promise((resolve, reject) => {
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.type === "hello") out(`# tailing ${org}/${project} (Ctrl-C to stop)`);
      else if (message.type === "sampled")
        out(`# ${message.skipped} more items in that second not shown (sampled)`);
      else if (message.type === "items") {
        for (const item of message.items) {
          if (seen >= limit) break;
          out(options.json ? JSON.stringify(item) : formatTailItem(item));
          seen += 1;
        }
        if (seen >= limit) ws.close(1000);
      }
    };
    ws.onerror = () =>
      reject(new Error(`could not open the tail of ${org}/${project} at ${url} (check the token)`));
    ws.onclose = () => resolve();
  });
}
