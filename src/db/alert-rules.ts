// D1 access for issue alerts: rules (the project rule API), the project's alert settings (webhooks
// plugin URLs, signing secret, private-target switch, the public URL of links) and the delivery log.
// Rows keep the schema's field names. The ingest path never calls these: the project's Durable Object
// reads a project's rules once (loadAlertConfig) and caches them until the API changes them.
import type { alertDeliveries, alertRules, alertSettings } from "./schema.ts";
import { all, first, type SqlParam } from "./sql.ts";

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertSettingsRow = typeof alertSettings.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

/** The fields of a rule the API writes (JSON columns as text). */
export type AlertRuleInput = Pick<
  AlertRuleRow,
  | "name"
  | "status"
  | "actionMatch"
  | "filterMatch"
  | "frequency"
  | "environment"
  | "conditions"
  | "filters"
  | "actions"
>;

const RULE_COLUMNS = `id, project_id AS projectId, name, status, action_match AS actionMatch,
  filter_match AS filterMatch, frequency, environment, conditions, filters, actions,
  created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt`;

const SETTINGS_COLUMNS = `project_id AS projectId, webhook_urls AS webhookUrls, webhook_secret AS webhookSecret,
  allow_private_targets AS allowPrivateTargets, base_url AS baseUrl`;

const DELIVERY_COLUMNS = `id, project_id AS projectId, delivery_key AS deliveryKey, rule_id AS ruleId,
  rule_name AS ruleName, issue_id AS issueId, target, status, status_code AS statusCode, attempts, error,
  created_at AS createdAt, updated_at AS updatedAt`;

const now = () => Date.now() / 1000;

export function listAlertRules(db: D1Database, projectId: number): Promise<AlertRuleRow[]> {
  return all<AlertRuleRow>(db, `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE project_id = ? ORDER BY id`, [
    projectId,
  ]);
}

export function getAlertRule(db: D1Database, projectId: number, id: number): Promise<AlertRuleRow | null> {
  return first<AlertRuleRow>(db, `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE project_id = ? AND id = ?`, [
    projectId,
    id,
  ]);
}

export async function countAlertRules(db: D1Database, projectId: number): Promise<number> {
  const row = await first<{ n: number }>(db, "SELECT COUNT(*) AS n FROM alert_rules WHERE project_id = ?", [
    projectId,
  ]);
  return row?.n ?? 0;
}

export async function createAlertRule(
  db: D1Database,
  projectId: number,
  input: AlertRuleInput,
  createdBy: number | null,
): Promise<AlertRuleRow> {
  const at = now();
  const row = await first<AlertRuleRow>(
    db,
    `INSERT INTO alert_rules (project_id, name, status, action_match, filter_match, frequency, environment,
       conditions, filters, actions, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${RULE_COLUMNS}`,
    [projectId, ...ruleParams(input), createdBy, at, at],
  );
  if (!row) throw new Error("alert rule insert returned nothing");
  return row;
}

export async function updateAlertRule(
  db: D1Database,
  rule: AlertRuleRow,
  input: AlertRuleInput,
): Promise<AlertRuleRow> {
  const row = await first<AlertRuleRow>(
    db,
    `UPDATE alert_rules SET name = ?, status = ?, action_match = ?, filter_match = ?, frequency = ?,
       environment = ?, conditions = ?, filters = ?, actions = ?, updated_at = ?
     WHERE project_id = ? AND id = ? RETURNING ${RULE_COLUMNS}`,
    [...ruleParams(input), now(), rule.projectId, rule.id],
  );
  if (!row) throw new Error("alert rule update returned nothing");
  return row;
}

export async function deleteAlertRule(db: D1Database, rule: AlertRuleRow): Promise<void> {
  await db
    .prepare("DELETE FROM alert_rules WHERE project_id = ? AND id = ?")
    .bind(rule.projectId, rule.id)
    .run();
}

function ruleParams(input: AlertRuleInput): SqlParam[] {
  return [
    input.name,
    input.status,
    input.actionMatch,
    input.filterMatch,
    input.frequency,
    input.environment,
    input.conditions,
    input.filters,
    input.actions,
  ];
}

// --- settings ---------------------------------------------------------------------------------------

/** The project's alert settings, created with `secret` on first use. */
export async function alertSettingsOf(
  db: D1Database,
  projectId: number,
  secret: string,
): Promise<AlertSettingsRow> {
  await db
    .prepare("INSERT INTO alert_settings (project_id, webhook_secret) VALUES (?, ?) ON CONFLICT DO NOTHING")
    .bind(projectId, secret)
    .run();
  const row = await first<AlertSettingsRow>(
    db,
    `SELECT ${SETTINGS_COLUMNS} FROM alert_settings WHERE project_id = ?`,
    [projectId],
  );
  if (!row) throw new Error("alert settings vanished");
  return row;
}

export function readAlertSettings(db: D1Database, projectId: number): Promise<AlertSettingsRow | null> {
  return first<AlertSettingsRow>(db, `SELECT ${SETTINGS_COLUMNS} FROM alert_settings WHERE project_id = ?`, [
    projectId,
  ]);
}

export async function updateAlertSettings(
  db: D1Database,
  projectId: number,
  changes: Partial<
    Pick<AlertSettingsRow, "webhookUrls" | "allowPrivateTargets" | "baseUrl" | "webhookSecret">
  >,
): Promise<void> {
  const sets: string[] = [];
  const params: SqlParam[] = [];
  const columns = {
    webhookUrls: "webhook_urls",
    allowPrivateTargets: "allow_private_targets",
    baseUrl: "base_url",
    webhookSecret: "webhook_secret",
  } as const;
  for (const [field, column] of Object.entries(columns) as [keyof typeof columns, string][]) {
    const value = changes[field];
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(value);
  }
  if (sets.length === 0) return;
  await db
    .prepare(`UPDATE alert_settings SET ${sets.join(", ")} WHERE project_id = ?`)
    .bind(...params, projectId)
    .run();
}

/** What the project's Durable Object caches: rules, settings, and the newest release (latest-release filter). */
export async function loadAlertConfig(
  db: D1Database,
  projectId: number,
): Promise<{ rules: AlertRuleRow[]; settings: AlertSettingsRow | null; latestRelease: string | null }> {
  const [rules, settings, release] = await db.batch([
    db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE project_id = ? ORDER BY id`).bind(projectId),
    db.prepare(`SELECT ${SETTINGS_COLUMNS} FROM alert_settings WHERE project_id = ?`).bind(projectId),
    db
      .prepare(
        `SELECT r.version AS version FROM releases r JOIN release_projects rp ON rp.release_id = r.id
         WHERE rp.project_id = ? ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT 1`,
      )
      .bind(projectId),
  ]);
  return {
    rules: (rules?.results ?? []) as AlertRuleRow[],
    settings: ((settings?.results ?? [])[0] as AlertSettingsRow | undefined) ?? null,
    latestRelease: ((release?.results ?? [])[0] as { version: string } | undefined)?.version ?? null,
  };
}

/** First-seen time (seconds) of an issue, for the issue-age filter (read once per issue and object life). */
export async function issueFirstSeen(
  db: D1Database,
  projectId: number,
  issueId: number,
): Promise<number | null> {
  const row = await first<{ firstSeen: number }>(
    db,
    "SELECT first_seen AS firstSeen FROM issues WHERE project_id = ? AND id = ?",
    [projectId, issueId],
  );
  return row?.firstSeen ?? null;
}

// --- delivery log -----------------------------------------------------------------------------------

export interface DeliveryRecord {
  projectId: number;
  deliveryKey: string;
  ruleId: number | null;
  ruleName: string;
  issueId: number | null;
  target: string;
  status: "delivered" | "retrying" | "failed" | "dead";
  statusCode: number | null;
  attempts: number;
  error: string | null;
}

/** Records an attempt of one delivery (one row per delivery, updated per attempt), keeping the newest 100. */
export async function recordDelivery(db: D1Database, d: DeliveryRecord, keep: number): Promise<void> {
  const at = now();
  await db.batch([
    db
      .prepare(
        `INSERT INTO alert_deliveries (project_id, delivery_key, rule_id, rule_name, issue_id, target, status,
           status_code, attempts, error, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, delivery_key) DO UPDATE SET status = excluded.status,
           status_code = excluded.status_code, attempts = MAX(attempts, excluded.attempts),
           error = excluded.error, updated_at = excluded.updated_at`,
      )
      .bind(
        d.projectId,
        d.deliveryKey,
        d.ruleId,
        d.ruleName,
        d.issueId,
        d.target,
        d.status,
        d.statusCode,
        d.attempts,
        d.error,
        at,
        at,
      ),
    db
      .prepare(
        `DELETE FROM alert_deliveries WHERE project_id = ? AND id NOT IN
           (SELECT id FROM alert_deliveries WHERE project_id = ? ORDER BY id DESC LIMIT ?)`,
      )
      .bind(d.projectId, d.projectId, keep),
  ]);
}

export function listDeliveries(
  db: D1Database,
  projectId: number,
  issueId: number | null,
  limit: number,
): Promise<AlertDeliveryRow[]> {
  return issueId === null
    ? all<AlertDeliveryRow>(
        db,
        `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries WHERE project_id = ? ORDER BY id DESC LIMIT ?`,
        [projectId, limit],
      )
    : all<AlertDeliveryRow>(
        db,
        `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries WHERE project_id = ? AND issue_id = ? ORDER BY id DESC LIMIT ?`,
        [projectId, issueId, limit],
      );
}

/** Where a delivery links to and whom it names: the project's and organization's slugs. */
export function projectSlugs(
  db: D1Database,
  projectId: number,
): Promise<{
  projectSlug: string;
  projectName: string;
  orgSlug: string;
  organizationId: number;
  shard: string;
} | null> {
  return first(
    db,
    `SELECT p.slug AS projectSlug, p.name AS projectName, o.slug AS orgSlug, o.id AS organizationId,
       o.shard AS shard
     FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.id = ?`,
    [projectId],
  );
}

/** E-mail addresses of an organization's members: one user, or everyone (no team membership in Faultline). */
export async function memberEmails(
  db: D1Database,
  organizationId: number,
  userId: number | null,
): Promise<string[]> {
  const rows = await all<{ email: string }>(
    db,
    `SELECT u.email AS email FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.organization_id = ? AND (? IS NULL OR u.id = ?) ORDER BY u.id LIMIT 50`,
    [organizationId, userId, userId],
  );
  return rows.map((r) => r.email);
}
