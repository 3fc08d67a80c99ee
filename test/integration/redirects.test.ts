// No redirect leaves the site: the trailing-slash redirect and the sign-in `next` (signed in already,
// and after signing in) for every spelling a browser could read as another origin. Repeated slashes
// collapse to a path on this site, so `//api/0/` reaches the API.
import { describe, expect, it } from "vitest";
import { createTenant, send } from "./helpers.ts";
import { addUser, type Browser, get, ORIGIN, signIn, submitLogin } from "./ui-helpers.ts";

/** Hostile targets, as the decoded value of a parameter (or the path of a request). */
const HOSTILE = [
  "//evil.example",
  "//evil.example/x",
  "/\t/evil.example/x",
  "/\n/evil.example/x",
  "/\r/evil.example/x",
  "\t//evil.example/x",
  "/\\evil.example/x",
  "\\\\evil.example/x",
  "/\\/evil.example/x",
  "/%2F%2Fevil.example/x",
  "/%2F/evil.example/x",
  "/%5Cevil.example/x",
  "/%5C%5Cevil.example/x",
  "/%09/evil.example/x",
  "/%0A/evil.example/x",
  "/%0D/evil.example/x",
  "https://evil.example/x",
  "https:evil.example/x",
  "http://faultline.test@evil.example/x",
  "//faultline.test@evil.example/x",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/%2e%2e/%2e%2e//evil.example/x",
  "/..//evil.example/x",
  "///evil.example/x",
];

/** What a browser would do with the Location: stay on this origin, with nothing it would reinterpret. */
function expectSameSite(res: Response, what: string) {
  const location = res.headers.get("location");
  expect(location, what).not.toBeNull();
  expect(location!, what).toMatch(/^\/(?![/\\])/);
  const unsafe = [...location!].filter((c) => c.charCodeAt(0) < 0x20 || c === "\x7f" || c === "\\");
  expect(unsafe, what).toEqual([]);
  expect(new URL(location!, ORIGIN).origin, what).toBe(ORIGIN);
}

describe("the trailing-slash redirect", () => {
  it.each(HOSTILE)("keeps %j on this site", async (target) => {
    // The path as a browser would send it: its URL parser has already dropped tabs and newlines.
    const res = await send(target.startsWith("/") ? target : `/${target}`, { redirect: "manual" });
    expect(res.status).toBeLessThan(500);
    if (res.status >= 300 && res.status < 400) expectSameSite(res, target);
  });

  it("answers `//evil.example` with the path /evil.example/ on this site", async () => {
    const res = await send("//evil.example", { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe("/evil.example/");
  });

  it("routes //api/0/… (a SENTRY_URL ending in /) to the API", async () => {
    const t = await createTenant();
    const res = await send(`//api/0/organizations/${t.orgSlug}/`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { slug: string }).slug).toBe(t.orgSlug);
    const doubled = await send(`/api/0//projects//${t.orgSlug}/${t.projectSlug}//`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(doubled.status).toBe(200);
  });
});

describe("the sign-in `next`", () => {
  let browser: Browser | null = null;
  let user: Awaited<ReturnType<typeof addUser>>;
  const signedIn = async () => {
    if (!browser) {
      user = await addUser(await createTenant(), "owner");
      browser = await signIn(user);
    }
    return browser;
  };

  it.each(HOSTILE)("keeps %j on this site when already signed in (303)", async (target) => {
    const b = await signedIn();
    const res = await get(b, `/auth/login/?next=${encodeURIComponent(target)}`);
    expect(res.status).toBe(303);
    expectSameSite(res, target);
  });

  it("keeps the raw `?next=/%09/evil.example/x` and `?next=/%0A/x` on this site", async () => {
    const b = await signedIn();
    for (const query of ["next=/%09/evil.example/x", "next=/%0A/x", "next=%2F%2Fevil.example"]) {
      const res = await get(b, `/auth/login/?${query}`);
      expect(res.status, query).toBe(303);
      expectSameSite(res, query);
    }
  });

  it.each(HOSTILE)("keeps %j on this site after signing in", async (target) => {
    await signedIn();
    const res = await submitLogin(user, target);
    expect(res.status).toBe(303);
    expectSameSite(res, target);
  });

  it("still follows a path of this site, with its query", async () => {
    const b = await signedIn();
    const res = await get(b, `/auth/login/?next=${encodeURIComponent("/organizations/?org=x")}`);
    expect(res.headers.get("location")).toBe("/organizations/?org=x");
    const after = await submitLogin(user, "/settings/account/api/auth-tokens/");
    expect(after.headers.get("location")).toBe("/settings/account/api/auth-tokens/");
  });
});
