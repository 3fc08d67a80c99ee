// The web UI through the real Worker (workerd, local D1/R2/DO): sign-in, sessions and CSRF, tenant
// isolation of every page, role checks, escaping of event data, and issue actions through the DO.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/ui/password.ts";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";
import { sessionCookie, signUpThroughInvite } from "./tenant-helpers.ts";

interface Browser {
  cookie: string;
  csrf: string;
  userId: number;
  email: string;
}

let users = 0;

async function addUser(
  t: Tenant,
  role: "owner" | "admin" | "member",
  password = "correct horse battery",
): Promise<{ id: number; email: string; password: string }> {
  users += 1;
  const email = `user${users}-${t.orgSlug}@example.test`;
  const row = await env.DB.prepare(
    "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
  )
    .bind(email, `User ${users}`, await hashPassword(password), Date.now() / 1000)
    .first<{ id: number }>();
  await env.DB.prepare(
    "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
  )
    .bind(t.orgId, row!.id, role, Date.now() / 1000)
    .run();
  return { id: row!.id, email, password };
}

/** Set-Cookie lines of a response (our cookies carry no commas: hex values and Max-Age, no Expires). */
const setCookies = (res: Response): string[] =>
  (res.headers.get("set-cookie") ?? "").split(/,\s*(?=[\w-]+=)/).filter(Boolean);

const cookieValue = (res: Response, name: string): string | null => {
  for (const c of setCookies(res))
    if (c.startsWith(`${name}=`)) return c.slice(name.length + 1).split(";")[0] ?? "";
  return null;
};

async function signIn(user: { id: number; email: string; password: string }): Promise<Browser> {
  const form = await send("/auth/login/");
  const loginCsrf = cookieValue(form, "fl_login_csrf")!;
  const body = new URLSearchParams({
    _csrf: loginCsrf,
    email: user.email,
    password: user.password,
    next: "/",
  });
  const res = await send("/auth/login/", {
    method: "POST",
    body,
    headers: { cookie: `fl_login_csrf=${loginCsrf}`, origin: "http://faultline.test" },
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  const session = cookieValue(res, "fl_session")!;
  const page = await send("/settings/account/api/auth-tokens/", {
    headers: { cookie: `fl_session=${session}` },
  });
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie: `fl_session=${session}`, csrf, userId: user.id, email: user.email };
}

const get = (b: Browser | null, path: string) =>
  send(path, { headers: b ? { cookie: b.cookie } : {}, redirect: "manual" });

const post = (
  b: Browser,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) =>
  send(path, {
    method: "POST",
    body: new URLSearchParams({ _csrf: b.csrf, ...fields }),
    headers: { cookie: b.cookie, origin: "http://faultline.test", ...headers },
    redirect: "manual",
  });

/** A bulk action on one issue from the issue stream's form. */
const bulk = (b: Browser, t: Tenant, action: string, issueId: number) =>
  post(b, `/organizations/${t.orgSlug}/issues/bulk/`, { action, id: String(issueId) });

const issueStatus = async (issueId: number) =>
  (await env.DB.prepare("SELECT status FROM issues WHERE id = ?").bind(issueId).first<{ status: string }>())
    ?.status;

const XSS = "<script>alert(1)</script>";

function errorEvent(eventId: string, opts: { message?: string; release?: string; traceId?: string } = {}) {
  return {
    event_id: eventId,
    platform: "node",
    level: "error",
    release: opts.release ?? "web@1.0.0",
    environment: "production",
    timestamp: Date.now() / 1000,
    tags: { "xss-tag": XSS, browser: "Chrome" },
    user: { id: "u-1", email: "ada@example.com" },
    contexts: opts.traceId
      ? { trace: { trace_id: opts.traceId, span_id: "aaaaaaaaaaaaaaaa", op: "http.server" } }
      : {},
    breadcrumbs: {
      values: [
        { timestamp: Date.now() / 1000 - 1, category: "ui.click", level: "info", message: `clicked ${XSS}` },
      ],
    },
    exception: {
      values: [
        {
          type: "TypeError",
          value: `root ${XSS}`,
          stacktrace: {
            frames: [
              { function: "db", filename: `<img src=x onerror=alert(2)>.js`, lineno: 3, in_app: true },
            ],
          },
        },
        {
          type: "Error",
          value: opts.message ?? "could not load order",
          mechanism: { type: "generic", handled: false },
          stacktrace: { frames: [{ function: "load", filename: "app.js", lineno: 9, in_app: true }] },
        },
      ],
    },
  };
}

async function sendError(t: Tenant, opts: Parameters<typeof errorEvent>[1] = {}): Promise<string> {
  const id = newEventId();
  const res = await postEnvelope(
    t,
    envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(errorEvent(id, opts))]),
  );
  expect(res.status).toBe(200);
  return id;
}

async function issueOf(t: Tenant, eventId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?")
    .bind(t.projectId, eventId)
    .first<{ issue_id: number }>();
  return row!.issue_id;
}

describe("sign-in and sessions", () => {
  it("sends anonymous visitors to the sign-in page and back", async () => {
    const t = await createTenant();
    const res = await get(null, `/organizations/${t.orgSlug}/issues/`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(
      `/auth/login/?next=${encodeURIComponent(`/organizations/${t.orgSlug}/issues/`)}`,
    );
  });

  /** A sign-in attempt from a client address, with a fresh login CSRF pair. */
  async function loginAttempt(email: string, password: string, ip: string): Promise<Response> {
    const form = await send("/auth/login/");
    const loginCsrf = cookieValue(form, "fl_login_csrf")!;
    return send("/auth/login/", {
      method: "POST",
      body: new URLSearchParams({ _csrf: loginCsrf, email, password, next: "/" }),
      headers: { cookie: `fl_login_csrf=${loginCsrf}`, "cf-connecting-ip": ip },
      redirect: "manual",
    });
  }

  it("throttles password guessing per email and address, and lets the right password in once the window passed", async () => {
    const t = await createTenant();
    const user = await addUser(t, "owner");
    const other = await addUser(t, "member");
    const ip = `198.51.100.${users}`;
    const attempt = (email: string, password: string) => loginAttempt(email, password, ip);
    for (let i = 0; i < 10; i++) expect((await attempt(user.email, `guess-${i}`)).status).toBe(401);
    const refused = await attempt(user.email, user.password);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many failed sign-ins");
    // Another account from the same address is not locked out by this one's failures.
    expect((await attempt(other.email, other.password)).status).toBe(303);
    await env.DB.prepare("UPDATE ui_login_counters SET window_start = window_start - 901").run();
    expect((await attempt(user.email, user.password)).status).toBe(303);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM ui_login_counters WHERE key = ?")
      .bind(`pair:${user.email} ${ip}`)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("counts concurrent wrong passwords atomically: of 25 at once, at most 10 are checked", async () => {
    const t = await createTenant();
    const user = await addUser(t, "owner");
    const ip = `203.0.113.${users}`;
    const statuses = (
      await Promise.all(Array.from({ length: 25 }, (_, i) => loginAttempt(user.email, `wrong-${i}`, ip)))
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    expect((await loginAttempt(user.email, user.password, ip)).status).toBe(429);
  });

  it("wrong passwords from one address do not lock the user out from another", async () => {
    const t = await createTenant();
    const user = await addUser(t, "owner");
    for (let i = 0; i < 12; i++)
      expect([401, 429]).toContain((await loginAttempt(user.email, `guess-${i}`, "192.0.2.66")).status);
    expect((await loginAttempt(user.email, user.password, "192.0.2.66")).status).toBe(429);
    expect((await loginAttempt(user.email, user.password, "192.0.2.77")).status).toBe(303);
  });

  it("signs in with the right password only, with a hardened cookie, and signs out", async () => {
    const t = await createTenant();
    const user = await addUser(t, "owner");
    const form = await send("/auth/login/");
    const loginCsrf = cookieValue(form, "fl_login_csrf")!;
    const attempt = (password: string, csrf = loginCsrf) =>
      send("/auth/login/", {
        method: "POST",
        body: new URLSearchParams({
          _csrf: csrf,
          email: user.email,
          password,
          next: `/organizations/${t.orgSlug}/`,
        }),
        headers: { cookie: `fl_login_csrf=${loginCsrf}` },
        redirect: "manual",
      });
    expect((await attempt("wrong")).status).toBe(401);
    expect((await attempt(user.password, "0".repeat(32))).status).toBe(403);
    const ok = await attempt(user.password);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`/organizations/${t.orgSlug}/`);
    const set = setCookies(ok).find((c) => c.startsWith("fl_session="))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Secure/);
    const token = cookieValue(ok, "fl_session")!;
    const stored = await env.DB.prepare("SELECT token_hash FROM ui_sessions WHERE user_id = ?")
      .bind(user.id)
      .first<{ token_hash: string }>();
    expect(stored?.token_hash).not.toBe(token);
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const b = await signIn(user);
    expect((await get(b, `/organizations/${t.orgSlug}/`)).status).toBe(200);
    const out = await post(b, "/auth/logout/", {});
    expect(out.status).toBe(303);
    expect((await get(b, `/organizations/${t.orgSlug}/`)).status).toBe(302);
  });

  it("drops Secure only on localhost", async () => {
    const res = await exports.default.fetch(new Request("http://127.0.0.1:8787/auth/login/"));
    expect(setCookies(res)[0]).not.toMatch(/Secure/);
    expect(setCookies(await send("/auth/login/"))[0]).toMatch(/Secure/);
  });

  it("stores passwords as PBKDF2 with 100k iterations and a per-user salt", async () => {
    const a = await hashPassword("same");
    const b = await hashPassword("same");
    expect(a).toMatch(/^pbkdf2_sha256\$100000\$/);
    expect(a).not.toBe(b);
  });
});

describe("pages of one organization", () => {
  it("render the stream, detail, event, trace, releases and settings, escaping event data", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "owner"));
    const traceId = "0123456789abcdef0123456789abcdef";
    const eventId = await sendError(t, { message: `outer ${XSS}`, traceId });
    // Ingest records the release the event names (web@1.0.0) with the project.
    const issueId = await issueOf(t, eventId);
    const o = t.orgSlug;
    const pages = [
      `/organizations/${o}/`,
      `/organizations/${o}/issues/?project=${t.projectSlug}`,
      `/organizations/${o}/issues/${issueId}/`,
      `/organizations/${o}/issues/${issueId}/events/${eventId}/`,
      `/organizations/${o}/issues/${issueId}/events/oldest/`,
      `/organizations/${o}/performance/trace/${traceId}/`,
      `/organizations/${o}/releases/`,
      `/organizations/${o}/releases/web%401.0.0/`,
      `/settings/${o}/projects/`,
      `/settings/${o}/projects/${t.projectSlug}/`,
      `/settings/${o}/projects/${t.projectSlug}/keys/`,
      `/settings/${o}/members/`,
      "/settings/account/api/auth-tokens/",
    ];
    for (const path of pages) {
      const res = await get(b, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      const body = await res.text();
      expect(body, path).not.toContain("<script>alert");
      expect(body, path).not.toContain("<img src=x");
    }
    const detail = await (await get(b, `/organizations/${o}/issues/${issueId}/events/${eventId}/`)).text();
    expect(detail).toContain("root &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(detail).toContain("&lt;img src=x onerror=alert(2)&gt;.js:3");
    expect(detail).toContain("clicked &lt;script&gt;");
    expect(detail).toContain("xss-tag: &lt;script&gt;");
    // Root cause first, then the outermost error.
    expect(detail.indexOf("TypeError")).toBeLessThan(
      detail.indexOf("could not load order") === -1 ? Infinity : detail.indexOf("outer &lt;script"),
    );
    expect(detail).toContain(`/performance/trace/${traceId}/`);
    // Tag distribution: the event's tags and the derived ones, with their share.
    const tags = detail.slice(detail.indexOf('<h2 style="margin-top:0">Tags</h2>'));
    for (const text of [">browser<", "Chrome", ">environment<", "production", ">user<", "u-1", "100%"])
      expect(tags).toContain(text);
    const stream = await (
      await get(
        b,
        `/organizations/${o}/issues/?project=${t.projectSlug}&query=${encodeURIComponent(`level:error ${XSS}`)}`,
      )
    ).text();
    expect(stream).toContain("&lt;script&gt;");
    expect(stream).not.toContain("<script>alert");
  });

  it("shows the DSN and setup snippets on a project without events", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "member"));
    const body = await (await get(b, `/organizations/${t.orgSlug}/issues/?project=${t.projectSlug}`)).text();
    expect(body).toContain(`http://${t.publicKey}@faultline.test/${t.projectId}`);
    expect(body).toContain("sentry_sdk.init");
    expect(body).toContain("@sentry/node");
    expect(body).toContain("sentry::init");
  });

  it("resolves through the project's object, and a new event shows the regression", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "member"));
    const issueId = await issueOf(t, await sendError(t));
    const res = await post(b, `/organizations/${t.orgSlug}/issues/${issueId}/actions/`, {
      action: "resolve",
    });
    expect(res.status).toBe(303);
    expect(await issueStatus(issueId)).toBe("resolved");
    await sendError(t);
    const row = await env.DB.prepare("SELECT status, substatus FROM issues WHERE id = ?")
      .bind(issueId)
      .first<{ status: string; substatus: string }>();
    expect(row).toEqual({ status: "unresolved", substatus: "regressed" });
    const stream = await (
      await get(b, `/organizations/${t.orgSlug}/issues/?project=${t.projectSlug}`)
    ).text();
    expect(stream).toContain("Regressed");
    // Bulk: ignore, then delete.
    expect((await bulk(b, t, "ignore", issueId)).status).toBe(303);
    expect(await issueStatus(issueId)).toBe("ignored");
    // The issue's activity names the member who resolved and ignored it, and the regression between
    // (the API's activity list).
    const activity = await send(`/api/0/issues/${issueId}/activities/`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const types = ((await activity.json()) as { activity: { type: string; user: unknown }[] }).activity;
    expect(types.map((a) => a.type)).toEqual(["set_ignored", "set_regression", "set_resolved", "first_seen"]);
    expect(types[0]?.user).not.toBeNull();
    expect((await bulk(b, t, "delete", issueId)).status).toBe(303);
    expect(await env.DB.prepare("SELECT id FROM issues WHERE id = ?").bind(issueId).first()).toBeNull();
  });

  it("draws the stream's sparklines from the same event counts as the API's 24h stats", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "member"));
    const issueId = await issueOf(t, await sendError(t));
    await sendError(t);
    await sendError(t);
    const stream = await (
      await get(b, `/organizations/${t.orgSlug}/issues/?project=${t.projectSlug}`)
    ).text();
    expect(stream).toContain('aria-label="3 events in the period"');
    const res = await send(`/api/0/issues/${issueId}/`, { headers: { authorization: `Bearer ${t.token}` } });
    const detail = (await res.json()) as { stats: Record<string, [number, number][]> };
    expect((detail.stats["24h"] ?? []).reduce((n, [, v]) => n + v, 0)).toBe(3);
  });

  it("refuses form posts without the session's CSRF token or from another site", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "owner"));
    const issueId = await issueOf(t, await sendError(t));
    const path = `/organizations/${t.orgSlug}/issues/${issueId}/actions/`;
    expect((await post({ ...b, csrf: "f".repeat(64) }, path, { action: "resolve" })).status).toBe(403);
    expect((await post(b, path, { action: "resolve" }, { origin: "https://evil.example" })).status).toBe(403);
    expect(await issueStatus(issueId)).toBe("unresolved");
  });

  it("leaves owner/admin actions to owners and admins", async () => {
    const t = await createTenant();
    const member = await signIn(await addUser(t, "member"));
    const keys = `/settings/${t.orgSlug}/projects/${t.projectSlug}/keys/`;
    expect((await post(member, keys, { action: "create", label: "x" })).status).toBe(403);
    expect(
      (
        await post(member, `/settings/${t.orgSlug}/members/`, {
          action: "create",
          email: "a@b.c",
          role: "owner",
        })
      ).status,
    ).toBe(403);
    expect(
      (await post(member, `/settings/${t.orgSlug}/projects/${t.projectSlug}/`, { action: "delete" })).status,
    ).toBe(403);
    expect((await post(member, `/settings/${t.orgSlug}/projects/`, { name: "New" })).status).toBe(403);
    expect(
      await env.DB.prepare("SELECT id FROM projects WHERE id = ?").bind(t.projectId).first(),
    ).not.toBeNull();

    const owner = await signIn(await addUser(t, "owner"));
    expect((await post(owner, keys, { action: "create", label: "backend" })).status).toBe(303);
    const created = await post(owner, `/settings/${t.orgSlug}/members/`, {
      action: "create",
      email: `new-${t.orgSlug}@example.test`,
      role: "member",
    });
    expect(created.status).toBe(201);
    // An invitation: a link shown once, no password, and no access until the newcomer accepts it.
    const html = await created.text();
    expect(html).not.toContain("new-password");
    const link = /id="invite-link" readonly value="([^"]+)"/.exec(html)?.[1];
    expect(link).toMatch(/\/accept-invite\/\d+\/[0-9a-f]{64}\/$/);
    expect(await get(owner, `/settings/${t.orgSlug}/members/`).then((r) => r.text())).toContain(
      "Pending invitations",
    );
    const joined = await signUpThroughInvite(link!, "newcomer's own password");
    expect(joined.status).toBe(303);
    expect(joined.headers.get("location")).toBe(`/organizations/${t.orgSlug}/`);
    const newcomer = {
      cookie: sessionCookie(joined),
      csrf: "",
      userId: 0,
      email: `new-${t.orgSlug}@example.test`,
    };
    expect((await get(newcomer, `/organizations/${t.orgSlug}/`)).status).toBe(200);
  });

  it("lets an owner create, rename and delete a project, and disable a key so ingest refuses it", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "owner"));
    const created = await post(b, `/settings/${t.orgSlug}/projects/`, { name: "Checkout API" });
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toBe(`/settings/${t.orgSlug}/projects/checkout-api/keys/`);
    const renamed = await post(b, `/settings/${t.orgSlug}/projects/checkout-api/`, {
      action: "rename",
      name: "Checkout",
      slug: "checkout",
    });
    expect(renamed.status).toBe(303);
    const project = await env.DB.prepare(
      "SELECT id, name FROM projects WHERE organization_id = ? AND slug = 'checkout'",
    )
      .bind(t.orgId)
      .first<{ id: number; name: string }>();
    expect(project?.name).toBe("Checkout");
    const keysPage = await (await get(b, `/settings/${t.orgSlug}/projects/checkout/keys/`)).text();
    expect(keysPage).toMatch(new RegExp(`http://[0-9a-f]{32}@faultline.test/${project!.id}`));
    expect((await post(b, `/settings/${t.orgSlug}/projects/checkout/`, { action: "delete" })).status).toBe(
      303,
    );
    expect(await env.DB.prepare("SELECT id FROM projects WHERE id = ?").bind(project!.id).first()).toBeNull();

    expect(
      (await postEnvelope(t, envelope({}, [{ type: "event" }, JSON.stringify(errorEvent(newEventId()))])))
        .status,
    ).toBe(200);
    const disabled = await post(b, `/settings/${t.orgSlug}/projects/${t.projectSlug}/keys/`, {
      action: "disable",
      key: String(t.keyId),
    });
    expect(disabled.status).toBe(303);
    expect(
      (await postEnvelope(t, envelope({}, [{ type: "event" }, JSON.stringify(errorEvent(newEventId()))])))
        .status,
    ).toBe(403);
  });

  it("creates an API token shown once that then works against the API", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "owner"));
    const res = await post(b, "/settings/account/api/auth-tokens/", {
      action: "create",
      name: "ci",
      scope: "project:read",
    });
    expect(res.status).toBe(201);
    const token = /id="new-token" readonly value="(sntryu_[0-9a-f]{64})"/.exec(await res.text())?.[1];
    expect(token).toBeDefined();
    const list = await (await get(b, "/settings/account/api/auth-tokens/")).text();
    expect(list).not.toContain(token);
    expect(list).toContain(`…${token!.slice(-4)}`);
  });
});

describe("tenant isolation", () => {
  it("a member of another organization gets 404 for every page and action of this one", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const outsider = await signIn(await addUser(other, "owner"));
    const traceId = "fedcba9876543210fedcba9876543210";
    const eventId = await sendError(t, { traceId });
    const issueId = await issueOf(t, eventId);
    const attachment = await env.DB.prepare(
      "INSERT INTO attachments (project_id, event_id, name, content_type, attachment_type, size, blob_key, created_at) VALUES (?, ?, 'a.txt', 'text/plain', 'event.attachment', 1, 'k', 0) RETURNING id",
    )
      .bind(t.projectId, eventId)
      .first<{ id: number }>();
    const o = t.orgSlug;
    for (const path of [
      `/organizations/${o}/`,
      `/organizations/${o}/issues/`,
      `/organizations/${o}/issues/${issueId}/`,
      `/organizations/${o}/issues/${issueId}/events/${eventId}/`,
      `/organizations/${o}/issues/${issueId}/events/${eventId}/attachments/${attachment!.id}/`,
      `/organizations/${o}/performance/trace/${traceId}/`,
      `/organizations/${o}/releases/`,
      `/settings/${o}/projects/${t.projectSlug}/keys/`,
      `/settings/${o}/members/`,
      // Own organization in the URL, foreign issue id.
      `/organizations/${other.orgSlug}/issues/${issueId}/`,
    ]) {
      const res = await get(outsider, path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(t.orgSlug);
    }
    for (const [path, fields] of [
      [`/organizations/${o}/issues/${issueId}/actions/`, { action: "resolve" }],
      [`/organizations/${other.orgSlug}/issues/${issueId}/actions/`, { action: "delete" }],
      [`/settings/${o}/projects/${t.projectSlug}/keys/`, { action: "create" }],
    ] as const) {
      expect((await post(outsider, path, fields)).status, path).toBe(404);
    }
    // Bulk with a foreign id through the outsider's own organization does nothing.
    expect((await bulk(outsider, other, "resolve", issueId)).status).toBe(303);
    expect(await issueStatus(issueId)).toBe("unresolved");
    // The trace page of the outsider's own org does not show this org's errors.
    const own = await (
      await get(outsider, `/organizations/${other.orgSlug}/performance/trace/${traceId}/`)
    ).text();
    expect(own).not.toContain(`/issues/${issueId}/`);
  });

  it("answers unknown pages with HTML and unknown API paths with JSON", async () => {
    const page = await send("/no/such/page/");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    const api = await send("/api/0/no-such-thing/");
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toBe("application/json");
  });
});

describe("the releases page's event counts", () => {
  it("counts each release's error events across commits, and marks releases counted before 0040 as unknown", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "owner"));
    for (const release of ["web@2.0", "web@2.0", "web@2.0", "web@3.0"]) await sendError(t, { release });
    // A release whose events predate the per-release counts: its row was carried over uncounted.
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO releases (organization_id, version, date_added) VALUES (?, 'web@0.9', 0)",
      ).bind(t.orgId),
      env.DB.prepare(
        "INSERT INTO release_projects (release_id, project_id) SELECT id, ? FROM releases WHERE organization_id = ? AND version = 'web@0.9'",
      ).bind(t.projectId, t.orgId),
      env.DB.prepare(
        "INSERT INTO release_event_stats (project_id, version, events, last_seen) VALUES (?, 'web@0.9', NULL, 1)",
      ).bind(t.projectId),
    ]);
    const html = await (await get(b, `/organizations/${t.orgSlug}/releases/`)).text();
    // The Events column is the second to last of a release's row.
    const events = (version: string) => {
      const row = new RegExp(`<code>${version.replace(".", "\\.")}</code>.*?</tr>`).exec(html)?.[0] ?? "";
      const cells = [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
      return cells[cells.length - 2];
    };
    expect(events("web@2.0")).toBe("3");
    expect(events("web@3.0")).toBe("1");
    expect(events("web@0.9")).toContain("—");
  });
});
