// When the project's object wakes next: the earliest of what its parts are due at (null: not due).
export function earliestDue(dues: readonly (number | null)[]): number | null {
  let next: number | null = null;
  for (const due of dues) if (due !== null && (next === null || due < next)) next = due;
  return next;
}
