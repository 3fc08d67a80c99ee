// Ingest answers once an envelope is in its project's spool; D1 (what the API lists and these tests
// read) has it a moment later. Tests that read right after sending wait for the spool to drain, as a
// user would wait for an event to show up.
import type { E2eServer } from "./global-setup.ts";

/** Waits until the default project's spool is empty (ingest-stats `spooled` = 0). */
export async function waitForSpool(server: E2eServer, timeoutMs = 30_000): Promise<void> {
  const url = `${server.url}/api/0/projects/${server.orgSlug}/${server.projectSlug}/ingest-stats/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A kept-alive connection the dev server closed meanwhile fails once; the next try opens a new one.
    const stats = await fetch(url, { headers: { authorization: `Bearer ${server.token}` } })
      .then(async (res) => (res.ok ? ((await res.json()) as { spooled?: number }) : { status: res.status }))
      .catch((error: unknown) => ({ error: String(error) }));
    if ("spooled" in stats && stats.spooled === 0) return;
    if (Date.now() > deadline) throw new Error(`the spool did not drain: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
