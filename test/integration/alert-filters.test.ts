// Issue alert filters ("if"), each against an event that passes and one that does not: level, the
// rule's environment, tag match, issue age, latest release / release match, issue category, and
// filterMatch any.
import { describe, expect, it } from "vitest";
import {
  alertProject,
  createRule,
  FIRST_SEEN,
  received,
  sendError,
  settle,
  waitForReceived,
} from "./alert-helpers.ts";

/** Sends `miss` then `hit` (new issues both) and checks only `hit` fired the rule. */
async function onlyHits(
  filters: object[],
  miss: Parameters<typeof sendError>[1],
  hit: Parameters<typeof sendError>[1],
  rule: Record<string, unknown> = {},
) {
  const p = await alertProject();
  await createRule(p, { conditions: [{ id: FIRST_SEEN }], filters, ...rule });
  await sendError(p.t, { ...miss, message: `miss ${JSON.stringify(miss)}` });
  await sendError(p.t, { ...hit, message: "hit" });
  await waitForReceived(p.name, 1);
  await settle(1200);
  const got = (await received(p.name)).map((r) => JSON.parse(r.body).message);
  expect(got).toEqual(["hit"]);
}

describe("issue alert filters", () => {
  it("level: at least error", async () => {
    await onlyHits(
      [{ id: "sentry.rules.filters.level.LevelFilter", match: "gte", level: "40" }],
      { level: "warning" },
      { level: "fatal" },
    );
  });

  it("level: equal to warning", async () => {
    await onlyHits(
      [{ id: "sentry.rules.filters.level.LevelFilter", match: "eq", level: "30" }],
      { level: "error" },
      { level: "warning" },
    );
  });

  it("environment (the rule's field)", async () => {
    await onlyHits(
      [],
      { environment: "staging" },
      { environment: "production" },
      { environment: "production" },
    );
  });

  it("tag match: equals, and starts with", async () => {
    await onlyHits(
      [{ id: "sentry.rules.filters.tagged_event.TaggedEventFilter", key: "shard", match: "eq", value: "a" }],
      { tags: { shard: "b" } },
      { tags: { shard: "a" } },
    );
    await onlyHits(
      [
        {
          id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
          key: "region",
          match: "sw",
          value: "eu-",
        },
      ],
      { tags: { region: "us-east" } },
      { tags: { region: "eu-west" } },
    );
  });

  it("release match (event attribute) and the latest release", async () => {
    await onlyHits(
      [
        {
          id: "sentry.rules.filters.event_attribute.EventAttributeFilter",
          attribute: "release",
          match: "eq",
          value: "app@2.0.0",
        },
      ],
      { release: "app@1.0.0" },
      { release: "app@2.0.0" },
    );
    // The latest release: the project's newest when the object read its rules, or one first named since.
    const p = await alertProject();
    await createRule(p, {
      conditions: [{ id: FIRST_SEEN }],
      filters: [{ id: "sentry.rules.filters.latest_release.LatestReleaseFilter" }],
    });
    await sendError(p.t, { message: "no release" });
    await sendError(p.t, { message: "latest", release: "app@1.0.0" });
    await waitForReceived(p.name, 1);
    await settle(1200);
    expect((await received(p.name)).map((r) => JSON.parse(r.body).message)).toEqual(["latest"]);
  });

  it("issue age: newer than an hour passes a new issue, older than an hour does not", async () => {
    const p = await alertProject();
    await createRule(p, {
      name: "newer",
      conditions: [{ id: FIRST_SEEN }],
      filters: [
        {
          id: "sentry.rules.filters.age_comparison.AgeComparisonFilter",
          comparison_type: "newer",
          value: 1,
          time: "hour",
        },
      ],
    });
    await createRule(p, {
      name: "older",
      conditions: [{ id: FIRST_SEEN }],
      filters: [
        {
          id: "sentry.rules.filters.age_comparison.AgeComparisonFilter",
          comparison_type: "older",
          value: 1,
          time: "hour",
        },
      ],
    });
    await sendError(p.t, { message: "young" });
    await waitForReceived(p.name, 1);
    await settle(1200);
    expect((await received(p.name)).map((r) => JSON.parse(r.body).triggering_rules)).toEqual([["newer"]]);
  });

  it("issue category: errors are category 1", async () => {
    const p = await alertProject();
    await createRule(p, {
      name: "errors",
      conditions: [{ id: FIRST_SEEN }],
      filters: [{ id: "sentry.rules.filters.issue_category.IssueCategoryFilter", value: "1" }],
    });
    await createRule(p, {
      name: "perf",
      conditions: [{ id: FIRST_SEEN }],
      filters: [{ id: "sentry.rules.filters.issue_category.IssueCategoryFilter", value: "2" }],
    });
    await sendError(p.t, { message: "cat" });
    await waitForReceived(p.name, 1);
    await settle(1200);
    expect((await received(p.name)).map((r) => JSON.parse(r.body).triggering_rules)).toEqual([["errors"]]);
  });

  it("filterMatch any: one passing filter is enough; all (default): every one", async () => {
    const level = { id: "sentry.rules.filters.level.LevelFilter", match: "eq", level: "50" };
    const tag = {
      id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
      key: "k",
      match: "eq",
      value: "v",
    };
    await onlyHits(
      [level, tag],
      { level: "error" },
      { level: "error", tags: { k: "v" } },
      { filterMatch: "any" },
    );
    await onlyHits([level, tag], { level: "fatal" }, { level: "fatal", tags: { k: "v" } });
  });
});
