// Limits of "archive until escalating" (src/db/issue-escalation.ts). Part of src/limits.ts (re-exported
// there; import them from it).

/**
 * The least number of events in a day that makes an issue archived until escalating come back: the
 * ceiling of an issue without a busy day in the week before it was archived (its forecast is twice
 * its busiest day of that week, and never lower than this).
 */
export const ESCALATION_MIN_CEILING = 10;
