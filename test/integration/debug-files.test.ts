// Debug-file upload through the real Worker (workerd, local D1 + R2): chunk upload, Sentry's assemble
// state machine, identification, listing, download, deletion and tenant isolation. The files are small
// ELF objects built here, so each test controls its build id (the e2e test uploads the real Rust fixture).

import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/api/tokens.ts";
import { createAssembly } from "../../src/db/assemblies.ts";
import { runAssembly } from "../../src/symbol-service/assembler.ts";
import { createTenant, send, type Tenant } from "./helpers.ts";

const MiB = 1024 * 1024;
const sha1 = (bytes: Uint8Array | string) => createHash("sha1").update(bytes).digest("hex");
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

// --- a minimal ELF64 (x86_64, ET_DYN) with a GNU build id, a symbol table and optional DWARF/unwind ---

interface ElfOptions {
  buildId: Uint8Array;
  debug?: boolean;
  unwind?: boolean;
  /** A split debug companion: .text without bytes (NOBITS), as objcopy --only-keep-debug writes it. */
  companion?: boolean;
  /** Zero bytes appended after the section headers, to make a file of several chunks. */
  padTo?: number;
}

function buildElf(options: ElfOptions): Uint8Array {
  const { buildId, debug = true, unwind = true, companion = false } = options;
  const names = [
    "",
    ".note.gnu.build-id",
    ".text",
    ".symtab",
    ".strtab",
    ".debug_info",
    ".eh_frame",
    ".shstrtab",
  ];
  const shstrtab: number[] = [];
  const nameOffsets = names.map((name) => {
    const at = shstrtab.length;
    shstrtab.push(...new TextEncoder().encode(name), 0);
    return at;
  });
  const note = new Uint8Array(16 + buildId.length);
  const nv = new DataView(note.buffer);
  nv.setUint32(0, 4, true);
  nv.setUint32(4, buildId.length, true);
  nv.setUint32(8, 3, true); // NT_GNU_BUILD_ID
  note.set([0x47, 0x4e, 0x55, 0], 12);
  note.set(buildId, 16);
  const text = new Uint8Array(16).fill(0x90);
  const symtab = new Uint8Array(48);
  const sv = new DataView(symtab.buffer);
  sv.setUint32(24, 1, true); // name "main" at strtab offset 1
  symtab[28] = 0x12; // STB_GLOBAL | STT_FUNC
  sv.setUint16(30, 2, true); // in .text
  sv.setBigUint64(32, 0x1000n, true);
  sv.setBigUint64(40, 16n, true);
  const strtab = new TextEncoder().encode("\0main\0");
  const dwarf = new Uint8Array(8).fill(1);
  const ehFrame = new Uint8Array(8);

  // [name index, type, flags, bytes, link, entsize]; absent sections keep a header with no bytes.
  const sections: [number, number, number, Uint8Array | null, number, number][] = [
    [1, 7, 2, note, 0, 0],
    [2, companion ? 8 : 1, 6, companion ? null : text, 0, 0],
    [3, 2, 0, symtab, 4, 24],
    [4, 3, 0, strtab, 0, 0],
    [5, 1, 0, debug ? dwarf : null, 0, 0],
    [6, 1, 2, unwind ? ehFrame : null, 0, 0],
    [7, 3, 0, new Uint8Array(shstrtab), 0, 0],
  ];
  const used = sections.filter((s) => s[3] !== null || s[0] === 2);
  let offset = 64 + 2 * 56;
  const placed = used.map((s) => {
    offset = Math.ceil(offset / 8) * 8;
    const at = offset;
    offset += s[3]?.length ?? 0;
    return { at, s };
  });
  const shoff = Math.ceil(offset / 8) * 8;
  const shnum = used.length + 1;
  const size = Math.max(shoff + shnum * 64, options.padTo ?? 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  v.setUint16(16, 3, true); // ET_DYN
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(32, 64n, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 2, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, shnum, true);
  v.setUint16(62, shnum - 1, true); // .shstrtab is last
  const noteAt = placed[0]?.at ?? 0;
  const phdr = (index: number, type: number, fileOffset: number, fileSize: number) => {
    const at = 64 + index * 56;
    v.setUint32(at, type, true);
    v.setUint32(at + 4, 5, true);
    v.setBigUint64(at + 8, BigInt(fileOffset), true);
    v.setBigUint64(at + 32, BigInt(fileSize), true);
    v.setBigUint64(at + 40, BigInt(fileSize), true);
  };
  phdr(0, 1, 0, shoff); // PT_LOAD
  phdr(1, 4, noteAt, note.length); // PT_NOTE
  placed.forEach(({ at, s }, i) => {
    if (s[3]) out.set(s[3], at);
    const h = shoff + (i + 1) * 64;
    v.setUint32(h, nameOffsets[s[0]] ?? 0, true);
    v.setUint32(h + 4, s[1], true);
    v.setBigUint64(h + 8, BigInt(s[2]), true);
    v.setBigUint64(h + 24, BigInt(at), true);
    v.setBigUint64(h + 32, BigInt(s[3]?.length ?? 16), true);
    v.setUint32(h + 40, s[4], true);
    v.setBigUint64(h + 48, 8n, true);
    v.setBigUint64(h + 56, BigInt(s[5]), true);
  });
  return out;
}

/** The debug id Sentry derives from an ELF build id (GUID field order: first 4, 2, 2 bytes swapped). */
function expectedDebugId(buildId: Uint8Array): string {
  const b = [...buildId.slice(0, 16)].map((x) => x.toString(16).padStart(2, "0"));
  const swapped = [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)].join("");
  return `${swapped.slice(0, 8)}-${swapped.slice(8, 12)}-${swapped.slice(12, 16)}-${swapped.slice(16, 20)}-${swapped.slice(20)}`;
}

// --- client side of the protocol, as sentry-cli does it ---

const bearer = (t: Tenant | string) => ({ authorization: `Bearer ${typeof t === "string" ? t : t.token}` });

function multipart(chunks: Uint8Array[], options: { gzip?: boolean; names?: string[] } = {}) {
  const boundary = `------------------------${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const pieces: Uint8Array[] = [];
  chunks.forEach((chunk, i) => {
    const field = options.gzip === false ? "file" : "file_gzip";
    const name = options.names?.[i] ?? sha1(chunk);
    pieces.push(
      enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      options.gzip === false ? chunk : gzipSync(chunk),
      enc.encode("\r\n"),
    );
  });
  pieces.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of pieces) {
    body.set(p, at);
    at += p.byteLength;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function uploadChunks(
  t: Tenant,
  chunks: Uint8Array[],
  options: { gzip?: boolean; names?: string[]; token?: string } = {},
) {
  const { body, contentType } = multipart(chunks, options);
  return send(`/api/0/organizations/${t.orgSlug}/chunk-upload/`, {
    method: "POST",
    body,
    headers: { ...bearer(options.token ?? t), "content-type": contentType },
  });
}

type AssembleAnswer = Record<
  string,
  { state: string; missingChunks: string[]; detail: string | null; dif?: Record<string, unknown> }
>;

async function assemble(
  t: Tenant,
  files: Record<string, { name: string; chunks: string[]; debug_id?: string }>,
) {
  const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/difs/assemble/`, {
    method: "POST",
    body: JSON.stringify(files),
    headers: { ...bearer(t), "content-type": "application/json" },
  });
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, body: (await res.json()) as AssembleAnswer };
}

function splitChunks(bytes: Uint8Array, chunkSize = 8 * MiB): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return chunks;
}

/** sentry-cli's flow: assemble, upload what is missing (in parallel, reversed), poll until done. */
async function uploadFile(t: Tenant, bytes: Uint8Array, name: string) {
  const checksum = sha1(bytes);
  const chunks = splitChunks(bytes);
  const request = { [checksum]: { name, chunks: chunks.map((c) => sha1(c)) } };
  const first = await assemble(t, request);
  const missing = new Set(first.body[checksum]?.missingChunks ?? []);
  await Promise.all(
    chunks
      .filter((c) => missing.has(sha1(c)))
      .reverse()
      .map(async (c) => expect((await uploadChunks(t, [c])).status).toBe(200)),
  );
  for (let attempt = 0; attempt < 120; attempt++) {
    const answer = (await assemble(t, request)).body[checksum];
    if (!answer) throw new Error("no answer for the file");
    expect(answer.state).not.toBe("not_found");
    if (answer.state === "ok" || answer.state === "error")
      return { checksum, first: first.body[checksum], answer };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("assembly did not finish");
}

async function tokenWith(t: Tenant, scopes: string): Promise<string> {
  const token = `sntryu_${[...randomBytes(32)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  await env.DB.prepare(
    "INSERT INTO api_tokens (token_hash, token_last_characters, name, organization_id, scopes, created_at) VALUES (?, ?, 'scoped', ?, ?, ?)",
  )
    .bind(await sha256Hex(token), token.slice(-4), t.orgId, scopes, Date.now() / 1000)
    .run();
  return token;
}

describe("chunk-upload options", () => {
  it("advertises sha1 chunks with gzip, as application/json", async () => {
    const t = await createTenant();
    const res = await send(`/api/0/organizations/${t.orgSlug}/chunk-upload/`, { headers: bearer(t) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const options = (await res.json()) as Record<string, unknown>;
    expect(options).toMatchObject({
      url: `/api/0/organizations/${t.orgSlug}/chunk-upload/`,
      chunkSize: 8 * MiB,
      chunksPerRequest: 64,
      maxRequestSize: 32 * MiB,
      hashAlgorithm: "sha1",
      compression: ["gzip"],
    });
    expect(options.concurrency).toBeGreaterThan(0);
    expect(options.concurrency).toBeLessThan(256);
    expect(options.accept).toContain("debug_files");
  });

  it("is 401 without a token, 404 for another tenant's org, 403 without the release scope", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const path = `/api/0/organizations/${t.orgSlug}/chunk-upload/`;
    expect((await send(path)).status).toBe(401);
    const foreign = await send(path, { headers: bearer(other) });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ detail: "The requested resource does not exist" });
    const readOnly = await tokenWith(t, "event:read org:read");
    expect((await send(path, { headers: bearer(readOnly) })).status).toBe(403);
    expect((await uploadChunks(t, [randomBytes(10)], { token: readOnly })).status).toBe(403);
  });
});

describe("chunk upload", () => {
  it("stores gzip and plain chunks under the organization, idempotently", async () => {
    const t = await createTenant();
    const a = randomBytes(1000);
    const b = randomBytes(2000);
    expect((await uploadChunks(t, [a])).status).toBe(200);
    expect((await uploadChunks(t, [b], { gzip: false })).status).toBe(200);
    expect((await uploadChunks(t, [a, b])).status).toBe(200);
    const rows = await env.DB.prepare(
      "SELECT sha1, size FROM file_chunks WHERE organization_id = ? ORDER BY size",
    )
      .bind(t.orgId)
      .all();
    expect(rows.results).toEqual([
      { sha1: sha1(a), size: 1000 },
      { sha1: sha1(b), size: 2000 },
    ]);
    const stored = await env.BLOBS.get(`orgs/${t.orgId}/chunks/${sha1(a)}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(a);
  });

  it.each([
    ["a wrong checksum name", { names: ["0".repeat(40)] }],
    ["a name that is not a checksum", { names: ["chunk.bin"] }],
    ["gzip data named by its compressed bytes", { names: ["compressed"] }],
  ])("refuses %s with 400 and stores nothing", async (_, options) => {
    const t = await createTenant();
    const chunk = randomBytes(500);
    const names = options.names[0] === "compressed" ? [sha1(gzipSync(chunk))] : options.names;
    const res = await uploadChunks(t, [chunk], { names });
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()) as object)).toEqual(["detail"]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM file_chunks WHERE organization_id = ?")
      .bind(t.orgId)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("refuses a body that is not multipart, and more chunks than advertised", async () => {
    const t = await createTenant();
    const notMultipart = await send(`/api/0/organizations/${t.orgSlug}/chunk-upload/`, {
      method: "POST",
      body: "x",
      headers: { ...bearer(t), "content-type": "application/json" },
    });
    expect(notMultipart.status).toBe(400);
    const tooMany = Array.from({ length: 65 }, () => randomBytes(8));
    expect((await uploadChunks(t, tooMany)).status).toBe(400);
  });
});

describe("assemble", () => {
  it("walks sentry-cli's flow: not_found + missingChunks, upload, then ok with the server's debug id", async () => {
    const t = await createTenant();
    const buildId = randomBytes(20);
    const elf = buildElf({ buildId });
    const { checksum, first, answer } = await uploadFile(t, elf, "libapp.so");
    expect(first).toEqual({ state: "not_found", missingChunks: [checksum], detail: null });
    expect(answer.state).toBe("ok");
    expect(answer.dif).toMatchObject({
      debugId: expectedDebugId(buildId),
      uuid: expectedDebugId(buildId),
      codeId: [...buildId].map((b) => b.toString(16).padStart(2, "0")).join(""),
      cpuName: "x86_64",
      objectName: "libapp.so",
      symbolType: "elf",
      sha1: checksum,
      size: elf.byteLength,
      data: { type: "lib", features: ["symtab", "debug", "unwind"] },
    });
    const row = await env.DB.prepare("SELECT * FROM debug_files WHERE project_id = ?")
      .bind(t.projectId)
      .first();
    expect(row).toMatchObject({ debug_id: expectedDebugId(buildId), checksum, object_name: "libapp.so" });
    const stored = await env.BLOBS.get(`projects/${t.projectId}/debug-files/${checksum}`);
    expect(sha1(new Uint8Array(await stored!.arrayBuffer()))).toBe(checksum);
  });

  it("answers a poll for an unknown file with not_found and no missing chunks", async () => {
    const t = await createTenant();
    const { status, body } = await assemble(t, { ["c".repeat(40)]: { name: "x", chunks: [] } });
    expect(status).toBe(200);
    expect(body).toEqual({ ["c".repeat(40)]: { state: "not_found", missingChunks: [], detail: null } });
  });

  it("is idempotent: the same file again is ok at once, recorded once", async () => {
    const t = await createTenant();
    const elf = buildElf({ buildId: randomBytes(20) });
    const first = await uploadFile(t, elf, "app");
    const again = await assemble(t, { [first.checksum]: { name: "app", chunks: [first.checksum] } });
    expect(again.body[first.checksum]).toMatchObject({ state: "ok", dif: { id: first.answer.dif?.id } });
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM debug_files WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("refuses a file that is not a debug file with an error and keeps nothing", async () => {
    const t = await createTenant();
    const text = new TextEncoder().encode("just some text, not an object file\n".repeat(20));
    const { checksum, answer } = await uploadFile(t, text, "notes.txt");
    expect(answer.state).toBe("error");
    expect(answer.detail).toMatch(/Unsupported debug information file/);
    expect(await env.BLOBS.head(`projects/${t.projectId}/debug-files/${checksum}`)).toBeNull();
    // The error stays the answer for later polls (sentry-cli prints it).
    const again = await assemble(t, { [checksum]: { name: "notes.txt", chunks: [checksum] } });
    expect(again.body[checksum]?.state).toBe("error");
  });

  it("reports a whole-file checksum that does not match the chunks", async () => {
    const t = await createTenant();
    const elf = buildElf({ buildId: randomBytes(20) });
    expect((await uploadChunks(t, [elf])).status).toBe(200);
    const claimed = "d".repeat(40);
    let answer = (await assemble(t, { [claimed]: { name: "app", chunks: [sha1(elf)] } })).body[claimed];
    for (let i = 0; answer?.state !== "error" && i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = (await assemble(t, { [claimed]: { name: "app", chunks: [sha1(elf)] } })).body[claimed];
    }
    expect(answer).toMatchObject({ state: "error", detail: expect.stringMatching(/checksum mismatch/) });
  });

  it("keeps an executable and its .debug companion under one debug id", async () => {
    const t = await createTenant();
    const buildId = randomBytes(20);
    const exe = await uploadFile(t, buildElf({ buildId, debug: false }), "app");
    const companion = await uploadFile(t, buildElf({ buildId, unwind: false, companion: true }), "app");
    expect(exe.answer.dif).toMatchObject({
      debugId: expectedDebugId(buildId),
      data: { features: ["symtab", "unwind"] },
    });
    expect(companion.answer.dif).toMatchObject({
      debugId: expectedDebugId(buildId),
      data: { type: "dbg", features: ["symtab", "debug"] },
    });
    const list = await send(
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/dsyms/?debug_id=${expectedDebugId(buildId)}`,
      { headers: bearer(t) },
    );
    expect(((await list.json()) as unknown[]).length).toBe(2);
  });

  it("filters the listing by query (substring, literal % and _), debug id, code id and format", async () => {
    const t = await createTenant();
    const one = randomBytes(20);
    const two = randomBytes(20);
    await uploadFile(t, buildElf({ buildId: one }), "lib%one_x.so");
    await uploadFile(t, buildElf({ buildId: two }), "libtwo.so");
    const names = async (query: string) => {
      const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/dsyms/?${query}`, {
        headers: bearer(t),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { objectName: string }[]).map((f) => f.objectName).sort();
    };
    expect(await names("query=lib")).toEqual(["lib%one_x.so", "libtwo.so"]);
    expect(await names(`query=${encodeURIComponent("%one_")}`)).toEqual(["lib%one_x.so"]);
    // `%` and `_` match themselves, not any characters.
    expect(await names(`query=${encodeURIComponent("b%t")}`)).toEqual([]);
    expect(await names(`query=${encodeURIComponent("two_")}`)).toEqual([]);
    expect(await names(`query=${expectedDebugId(two)}`)).toEqual(["libtwo.so"]);
    expect(
      await names(
        `code_id=${[...one]
          .map((b) => b.toString(16).padStart(2, "0"))
          .join("")
          .toUpperCase()}`,
      ),
    ).toEqual(["lib%one_x.so"]);
    expect(await names("file_formats=elf")).toEqual(["lib%one_x.so", "libtwo.so"]);
    expect(await names("file_formats=macho")).toEqual([]);
  });

  it("assembles a file of several chunks uploaded out of order into equal R2 parts", async () => {
    const t = await createTenant();
    const buildId = randomBytes(20);
    const elf = buildElf({ buildId, padTo: 17 * MiB + 12345 });
    elf.set(randomBytes(4096), 9 * MiB); // not all zeros, so a misplaced part changes the checksum
    const { answer } = await uploadFile(t, elf, "big");
    expect(answer).toMatchObject({
      state: "ok",
      dif: { debugId: expectedDebugId(buildId), size: elf.byteLength },
    });
    const stored = await env.BLOBS.get(`projects/${t.projectId}/debug-files/${sha1(elf)}`);
    expect(stored?.size).toBe(elf.byteLength);
    expect(sha1(new Uint8Array(await stored!.arrayBuffer()))).toBe(sha1(elf));
  });

  it("resumes a job across runs that stop at their time budget", async () => {
    const t = await createTenant();
    const buildId = randomBytes(20);
    const elf = buildElf({ buildId, padTo: 6 * MiB + 7 });
    elf.set(randomBytes(1000), 5 * MiB);
    const chunks = splitChunks(elf, 2 * MiB);
    expect((await uploadChunks(t, chunks)).status).toBe(200);
    const checksum = sha1(elf);
    await createAssembly(
      env.DB,
      t.projectId,
      { checksum, name: "app", debugId: null, chunks: chunks.map((c) => sha1(c)) },
      Date.now(),
    );
    // A clock that advances 1 s per reading: with a 1.5 s budget each run copies about one part.
    let clock = Date.now();
    const context = {
      db: env.DB,
      events: env.DB,
      bucket: env.BLOBS,
      organizationId: t.orgId,
      projectId: t.projectId,
      now: () => (clock += 1000),
      partBytes: 5 * MiB,
      budgetMs: 1500,
    };
    const states: string[] = [];
    for (let run = 0; run < 10 && states.at(-1) !== "ok"; run++)
      states.push((await runAssembly(context, checksum)).state);
    expect(states.length).toBeGreaterThan(1);
    expect(states.at(-1)).toBe("ok");
    const answer = (await assemble(t, { [checksum]: { name: "app", chunks: [] } })).body[checksum];
    expect(answer).toMatchObject({ state: "ok", dif: { debugId: expectedDebugId(buildId), sha1: checksum } });
  });
});

describe("tenant isolation", () => {
  it("never lets another organization assemble, list or fetch a tenant's chunks and files", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const elf = buildElf({ buildId: randomBytes(20) });
    const uploaded = await uploadFile(a, elf, "app");
    // B names A's chunk: it is missing for B, although the checksum exists in A's organization.
    const claim = await assemble(b, { [uploaded.checksum]: { name: "app", chunks: [uploaded.checksum] } });
    expect(claim.body[uploaded.checksum]).toEqual({
      state: "not_found",
      missingChunks: [uploaded.checksum],
      detail: null,
    });
    const id = uploaded.answer.dif?.id;
    const base = `/api/0/projects/${a.orgSlug}/${a.projectSlug}/files/dsyms/`;
    for (const [method, path] of [
      ["GET", base],
      ["GET", `${base}?id=${id}`],
      ["DELETE", `${base}?id=${id}`],
      ["POST", `/api/0/projects/${a.orgSlug}/${a.projectSlug}/files/difs/assemble/`],
    ] as const) {
      const res = await send(path, {
        method,
        headers: bearer(b),
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // B's own project does not see A's file id either.
    const own = await send(`/api/0/projects/${b.orgSlug}/${b.projectSlug}/files/dsyms/?id=${id}`, {
      headers: bearer(b),
    });
    expect(own.status).toBe(404);
  });
});

describe("dsyms list, download, delete", () => {
  it("lists newest first with filters, downloads the bytes, deletes with 204", async () => {
    const t = await createTenant();
    const first = buildElf({ buildId: randomBytes(20) });
    const secondId = randomBytes(20);
    const second = buildElf({ buildId: secondId, unwind: false });
    const one = await uploadFile(t, first, "libone.so");
    const two = await uploadFile(t, second, "libtwo.so");
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/dsyms/`;
    const list = async (query: string) => {
      const res = await send(`${base}${query}`, { headers: bearer(t) });
      expect(res.headers.get("content-type")).toBe("application/json");
      return ((await res.json()) as { objectName: string }[]).map((d) => d.objectName);
    };
    expect(await list("")).toEqual(["libtwo.so", "libone.so"]);
    expect(await list("?query=one")).toEqual(["libone.so"]);
    expect(await list(`?query=${expectedDebugId(secondId).toUpperCase()}`)).toEqual(["libtwo.so"]);
    expect(await list("?query=100%25")).toEqual([]);
    expect(await list("?file_formats=macho")).toEqual([]);
    expect(await list("?file_formats=elf&per_page=1")).toEqual(["libtwo.so"]);
    const link = (await send(`${base}?per_page=1`, { headers: bearer(t) })).headers.get("link");
    expect(link).toContain('rel="next"; results="true"; cursor="0:1:0"');

    const download = await send(`${base}?id=${one.answer.dif?.id}`, { headers: bearer(t) });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toContain(`${one.answer.dif?.debugId}`);
    expect(sha1(new Uint8Array(await download.arrayBuffer()))).toBe(sha1(first));

    const del = await send(`${base}?id=${two.answer.dif?.id}`, { method: "DELETE", headers: bearer(t) });
    expect(del.status).toBe(204);
    expect(await env.BLOBS.head(`projects/${t.projectId}/debug-files/${two.checksum}`)).toBeNull();
    expect(await list("")).toEqual(["libone.so"]);
    const again = await send(`${base}?id=${two.answer.dif?.id}`, { method: "DELETE", headers: bearer(t) });
    expect(again.status).toBe(404);
    // A deleted file can be uploaded again.
    expect((await uploadFile(t, second, "libtwo.so")).answer.state).toBe("ok");
  });

  it("refuses a missing or malformed id with 400", async () => {
    const t = await createTenant();
    const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/dsyms/?id=abc`, {
      method: "DELETE",
      headers: bearer(t),
    });
    expect(res.status).toBe(400);
  });
});
