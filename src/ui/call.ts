// What a page handler receives (the request with its signed-in session, and the organization of
// `/organizations/:org/…` pages), and small helpers every page uses. routes.ts builds these calls.

import type { IRequest } from "itty-router";
import type { OrgSummary } from "../db/rows.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import type { PageContext } from "./layout.ts";
import type { UiSession } from "./session.ts";

export interface UiCall {
  request: IRequest;
  env: Env;
  ctx: PageContext;
  session: UiSession;
  /** The form of a POST (CSRF already checked); null for GET. */
  form: FormData | null;
  param: (name: string) => string;
}

export interface OrgCall extends UiCall {
  org: OrgSummary;
}

export const isAdmin = (org: OrgSummary): boolean => org.role === "owner" || org.role === "admin";

/** Owner/admin-only actions are refused here, whatever the page showed. */
export function requireAdmin(org: OrgSummary): void {
  if (!isAdmin(org))
    throw new FaultlineError(403, "Only owners and admins of this organization can do this.");
}

export const formString = (form: FormData | null, name: string): string => {
  const v = form?.get(name);
  return typeof v === "string" ? v.trim() : "";
};
