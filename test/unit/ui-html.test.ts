// The UI's escaping template helper and the small pure helpers around it.
import { describe, expect, it } from "vitest";
import { generatePassword as nodeGenerate, hashPassword as nodeHash } from "../../scripts/password.mjs";
import { escapeHtml, html, join, qs, safeHref, unsafeRaw } from "../../src/ui/html.ts";
import { safeNext } from "../../src/ui/pages/login.ts";
import { generatePassword, hashPassword, verifyPassword } from "../../src/ui/password.ts";

describe("html template", () => {
  it("escapes every interpolation", () => {
    const evil = `<script>alert("x")</script>' \` &amp;`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &#96; &amp;amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &#96; &amp;amp;</p>',
    );
  });

  it("keeps nested templates and explicitly raw markup, escapes strings in arrays", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<div>${inner}${unsafeRaw("<hr>")}${["<a>", html`<br>`]}</div>`.value).toBe(
      "<div><b>&lt;i&gt;</b><hr>&lt;a&gt;<br></div>",
    );
  });

  it("renders null, undefined and false as nothing, numbers and true as text", () => {
    expect(html`${null}${undefined}${false}${0}${true}`.value).toBe("0true");
  });

  it("joins with an escaped separator", () => {
    expect(join(["a", html`<b>b</b>`], " & ").value).toBe("a &amp; <b>b</b>");
  });

  it("escapeHtml covers the five HTML specials and the backtick", () => {
    expect(escapeHtml(`&<>"'\``)).toBe("&amp;&lt;&gt;&quot;&#39;&#96;");
  });

  it("only lets http(s) and same-site paths into links", () => {
    expect(safeHref("javascript:alert(1)")).toBe("#");
    expect(safeHref("JAVASCRIPT:alert(1)")).toBe("#");
    expect(safeHref("data:text/html,<b>")).toBe("#");
    expect(safeHref("//evil.example/x")).toBe("#");
    expect(safeHref("/organizations/a/")).toBe("/organizations/a/");
    expect(safeHref("https://example.com/a?b")).toBe("https://example.com/a?b");
  });

  it("follows only same-site paths after sign-in", () => {
    const request = new Request("https://errors.example.com/auth/login/");
    expect(safeNext("/organizations/x/", request)).toBe("/organizations/x/");
    expect(safeNext("https://errors.example.com/a/?b=1", request)).toBe("/a/?b=1");
    expect(safeNext("https://evil.example/", request)).toBe("/");
    expect(safeNext("//evil.example/", request)).toBe("/");
    expect(safeNext("/\\evil.example/", request)).toBe("/");
    expect(safeNext(null, request)).toBe("/");
  });

  it("builds query strings without empty values", () => {
    expect(qs({ a: "x y", b: "", c: null, d: 3 })).toBe("?a=x+y&d=3");
    expect(qs({})).toBe("");
  });
});

describe("passwords", () => {
  it("verifies what it hashed, and rejects anything else", async () => {
    const stored = await hashPassword("s3cret");
    expect(stored).toMatch(/^pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("s3cret", stored)).toBe(true);
    expect(await verifyPassword("s3cret ", stored)).toBe(false);
    expect(await verifyPassword("s3cret", null)).toBe(false);
    expect(await verifyPassword("s3cret", "plain")).toBe(false);
  });

  it("reads the hashes the Node bootstrap writes (same parameters)", async () => {
    const password = nodeGenerate();
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await verifyPassword(password, nodeHash(password))).toBe(true);
    expect(generatePassword()).not.toBe(generatePassword());
  });
});
