// Cron monitors as Sentry's monitor API shows them: the monitor with its config, project and
// environments, and its check-ins (durations in milliseconds). Pure.
import type { MonitorCheckInRow, MonitorEnvironmentRow, MonitorRow } from "../../db/monitors.ts";
import { isoFromSeconds } from "../../protocol/items/json.ts";
import { configFromStored, configJson } from "../../protocol/monitors/monitor-config.ts";

export function serializeMonitor(
  m: MonitorRow,
  project: { id: number; slug: string },
  environments: readonly MonitorEnvironmentRow[],
) {
  return {
    id: String(m.id),
    slug: m.slug,
    name: m.name,
    status: m.status,
    isMuted: false,
    type: "cron_job",
    config: configJson(configFromStored(m.config)),
    dateCreated: isoFromSeconds(m.createdAt),
    project: { id: String(project.id), slug: project.slug },
    environments: environments.map((e) => ({
      name: e.environment,
      status: e.status,
      isMuted: false,
      dateCreated: isoFromSeconds(e.createdAt),
      lastCheckIn: isoFromSeconds(e.lastCheckIn),
      nextCheckIn: isoFromSeconds(e.nextCheckIn),
      nextCheckInLatest: isoFromSeconds(e.nextCheckInLatest),
    })),
  };
}

/** A check-in's id as Sentry writes its guid: a hyphenated UUID (ids stored otherwise stay as they are). */
function checkInGuid(id: string): string {
  const hex = /^[0-9a-f]{32}$/.exec(id)?.[0];
  return hex
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : id;
}

export function serializeCheckIn(c: MonitorCheckInRow) {
  return {
    id: checkInGuid(c.checkInId),
    status: c.status,
    duration: c.duration === null ? null : Math.round(c.duration),
    environment: c.environment,
    dateCreated: isoFromSeconds(c.dateAdded),
    dateAdded: isoFromSeconds(c.dateAdded),
    dateUpdated: isoFromSeconds(c.dateUpdated),
    expectedTime: isoFromSeconds(c.expectedTime),
    timeoutAt: isoFromSeconds(c.timeoutAt),
    traceId: c.traceId,
  };
}
