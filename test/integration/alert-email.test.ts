// E-mail actions (Sentry's NotifyEmailAction) through the send_email binding as Miniflare simulates
// it: a member target, the fallthrough to every member, and a user outside the organization.
import { describe, expect, it } from "vitest";
import { alertProject, createRule, FIRST_SEEN, sendError, waitForDelivery } from "./alert-helpers.ts";
import { createUser } from "./tenant-helpers.ts";

const email = (targetType: string, targetIdentifier?: number) => ({
  id: "sentry.mail.actions.NotifyEmailAction",
  targetType,
  ...(targetIdentifier === undefined ? {} : { targetIdentifier }),
  fallthroughType: "ActiveMembers",
});

describe("alert e-mail", () => {
  it("e-mails a member, and every member for IssueOwners", async () => {
    const p = await alertProject();
    await createRule(p, {
      name: "Mail member",
      conditions: [{ id: FIRST_SEEN }],
      actions: [email("Member", p.owner.userId)],
    });
    await createRule(p, {
      name: "Mail owners",
      conditions: [{ id: FIRST_SEEN }],
      actions: [email("IssueOwners")],
    });
    await sendError(p.t, { message: "mail me" });
    const member = await waitForDelivery(p, (d) => d.ruleName === "Mail member" && d.status !== "retrying");
    expect(member).toMatchObject({
      status: "delivered",
      target: `email:Member:${p.owner.userId}`,
      attempts: 1,
      error: null,
    });
    const owners = await waitForDelivery(p, (d) => d.ruleName === "Mail owners" && d.status !== "retrying");
    expect(owners).toMatchObject({ status: "delivered", target: "email:IssueOwners" });
  });

  it("never e-mails a user outside the organization", async () => {
    const p = await alertProject();
    const outsider = await createUser(null);
    await createRule(p, {
      name: "Outsider",
      conditions: [{ id: FIRST_SEEN }],
      actions: [email("Member", outsider.userId)],
    });
    await sendError(p.t, { message: "not for outsiders" });
    const log = await waitForDelivery(p, (d) => d.status === "failed");
    expect(log.error).toBe("no recipient is a member of the organization");
  });
});
