// Personal API tokens (for sentry-cli and the REST API): list, create (the token is shown once, only its
// SHA-256 is stored) and revoke. A token's scopes are further capped by the user's role in each org.

import { deleteUserToken, insertUserToken } from "../../db/api-tokens.ts";
import type { TokenRow } from "../../db/rows.ts";
import { tokensOfUser } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { sha256Hex } from "../../protocol/sha256.ts";
import type { UiCall } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { isoDay, relativeTime } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { randomToken } from "../session.ts";

export const TOKEN_SCOPES = [
  "org:read",
  "org:write",
  "project:read",
  "project:write",
  "project:admin",
  "project:releases",
  "team:read",
  "member:read",
  "event:read",
  "event:write",
  "event:admin",
];
const DEFAULT_SCOPES = new Set(["org:read", "project:read", "project:releases", "event:read", "event:write"]);

export function tokensView(
  ctx: PageContext,
  tokens: TokenRow[],
  message: string | null,
  created: string | null,
): SafeHtml {
  const action = "/settings/account/api/auth-tokens/";
  return page(
    ctx,
    "account",
    "API tokens",
    html`<h1>Personal API tokens</h1>${flash(message)}${
      created
        ? html`<div class="flash" role="status"><p>Copy your new token now; it will not be shown again.</p><div class="secret"><input id="new-token" readonly value="${created}" aria-label="New token"><button type="button" data-copy="new-token">Copy</button></div><p class="muted">Use it as <code>SENTRY_AUTH_TOKEN</code> for sentry-cli or as <code>Authorization: Bearer …</code>.</p></div>`
        : ""
    }
${
  tokens.length === 0
    ? html`<div class="panel empty">No tokens yet. Create one for sentry-cli or scripts.</div>`
    : html`<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Name</th><th>Token</th><th>Scopes</th><th>Created</th><th>Last used</th><th></th></tr></thead><tbody>${tokens.map(
        (t) =>
          html`<tr><td>${t.name}</td><td><code>…${t.token_last_characters}</code></td><td style="font-size:12px">${t.scopes}</td><td>${isoDay(t.created_at)}</td><td>${t.last_used_at ? relativeTime(t.last_used_at, ctx.now) : "never"}</td><td><form method="post" action="${action}" class="inline">${csrfField(ctx)}<input type="hidden" name="action" value="revoke"><input type="hidden" name="token" value="${t.id}"><button class="danger" type="submit" data-confirm="Revoke this token? Programs using it stop working.">Revoke</button></form></td></tr>`,
      )}</tbody></table></div>`
}
<h2>Create a token</h2><form method="post" action="${action}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="create"><label for="tname">Name</label><input id="tname" name="name" maxlength="64" placeholder="e.g. CI uploads" required>
<fieldset style="border:0;padding:0;margin:8px 0"><legend style="font-weight:600">Scopes</legend><div class="row">${TOKEN_SCOPES.map(
      (s) =>
        html`<label style="font-weight:400;margin:0"><input type="checkbox" name="scope" value="${s}"${DEFAULT_SCOPES.has(s) ? html` checked` : ""}> ${s}</label>`,
    )}</div></fieldset><button class="primary" type="submit">Create token</button></form>`,
  );
}

export async function tokensPage({ env, ctx }: UiCall): Promise<Response> {
  return htmlResponse(tokensView(ctx, await tokensOfUser(env.DB, ctx.user.id), doneMessage(ctx.url), null));
}

export async function tokensSubmit({ env, ctx, form }: UiCall): Promise<Response> {
  const action = typeof form?.get("action") === "string" ? String(form?.get("action")) : "";
  if (action === "create") {
    const nameValue = form?.get("name");
    const name = (typeof nameValue === "string" ? nameValue.trim() : "").slice(0, 64) || "Token";
    const scopes = (form?.getAll("scope") ?? []).filter(
      (s): s is string => typeof s === "string" && TOKEN_SCOPES.includes(s),
    );
    if (scopes.length === 0) scopes.push(...DEFAULT_SCOPES);
    const token = `sntryu_${randomToken(32)}`;
    await insertUserToken(
      env.DB,
      {
        tokenHash: await sha256Hex(token),
        lastCharacters: token.slice(-4),
        name,
        userId: ctx.user.id,
        scopes,
      },
      Date.now() / 1000,
    );
    return htmlResponse(tokensView(ctx, await tokensOfUser(env.DB, ctx.user.id), null, token), 201);
  }
  if (action === "revoke") {
    const idValue = form?.get("token");
    const id = Number.parseInt(typeof idValue === "string" ? idValue : "", 10);
    await deleteUserToken(env.DB, ctx.user.id, id);
    return redirect("/settings/account/api/auth-tokens/?done=revoked");
  }
  throw new FaultlineError(400, "unknown action");
}
