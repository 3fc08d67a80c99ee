// Asks the project's Durable Object to run the project's late-file jobs from its alarm.
import type { Env } from "../env.ts";

/** Has the project's object run its late jobs from its alarm, `delayMs` from now at the latest. */
export function scheduleLateSymbolication(env: Env, projectId: number, delayMs = 0): Promise<void> {
  return env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId))).scheduleLateSymbolication(
    projectId,
    delayMs,
  );
}
