// The live tail: WebSockets held by the project's Durable Object (hibernatable: an idle tail costs no
// duration), each sent what the project receives as ingest decides on it. Bounded: at most
// TAIL_ITEMS_PER_SECOND records a second are sent; past that the rest of the second is counted and
// sent as one `sampled` note. With no one watching, publishing is a counter check. A socket is served
// for TAIL_SOCKET_SECONDS only: the Worker authorized its watcher once, at the upgrade, so the socket
// is then closed (4401) and the watcher connects again, through the same checks.
import { TAIL_ITEMS_PER_SECOND, TAIL_SOCKET_SECONDS } from "../limits.ts";
import type { TailItem } from "./tail-items.ts";

export class LiveTail {
  /** Sockets open; read from the runtime after a wake-up (hibernation keeps sockets, not memory). */
  private open: number;
  private second = 0;
  private sent = 0;
  private skipped = 0;

  constructor(private readonly ctx: DurableObjectState) {
    this.open = ctx.getWebSockets().length;
  }

  /** Accepts one watcher: the 101 answer carrying the client end of a new socket. */
  connect(): Response {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    const until = Date.now() + TAIL_SOCKET_SECONDS * 1000;
    pair[1].serializeAttachment({ until } satisfies SocketTerm);
    this.open = this.ctx.getWebSockets().length;
    pair[1].send(JSON.stringify({ type: "hello", limit: TAIL_ITEMS_PER_SECOND, until }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  closed(): void {
    this.open = Math.max(0, this.ctx.getWebSockets().length - 1);
  }

  /** Whether anyone watches: with no one, ingest does not even describe what it decided. */
  get watching(): boolean {
    return this.open > 0;
  }

  publish(items: readonly TailItem[], now = Date.now()): void {
    if (this.open === 0 || items.length === 0) return;
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      if (this.skipped > 0)
        this.broadcast({ type: "sampled", skipped: this.skipped, second: this.second }, now);
      this.second = second;
      this.sent = 0;
      this.skipped = 0;
    }
    const room = Math.max(0, TAIL_ITEMS_PER_SECOND - this.sent);
    const shown = items.slice(0, room);
    this.skipped += items.length - shown.length;
    this.sent += shown.length;
    if (shown.length > 0) this.broadcast({ type: "items", items: shown }, now);
  }

  private broadcast(message: object, now: number): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        // A socket past its term (or from before terms existed) is sent nothing more.
        const term = ws.deserializeAttachment() as SocketTerm | null;
        if (typeof term?.until === "number" && term.until > now) ws.send(text);
        else ws.close(4401, "authorize again");
      } catch {
        // A socket closing meanwhile: its close handler updates the count.
      }
    }
  }
}

/** What a tail socket carries through hibernation: until when it is served. */
interface SocketTerm {
  until: number;
}
