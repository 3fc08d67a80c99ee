// The projects of one organization, as the org-wide query APIs (events, stats, environments) scope by.

export interface OrgProjectRef {
  id: number;
  slug: string;
}

export async function orgProjectRefs(db: D1Database, organizationId: number): Promise<OrgProjectRef[]> {
  return (
    await db
      .prepare("SELECT id, slug FROM projects WHERE organization_id = ? ORDER BY id")
      .bind(organizationId)
      .all<OrgProjectRef>()
  ).results;
}
