// CPU time of the workerd processes a `wrangler dev` started (its descendants), in ms: user + system
// from /proc (Linux). Divided by the requests of a run, it is the cost per request, which other load on
// the machine changes far less than it changes req/s or latency.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { workerdPids } from "./process-rss.mjs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** User + system CPU ms the workerd descendants of `rootPid` used so far. */
export function workerdCpuMs(rootPid) {
  return processesCpuMs(workerdPids(rootPid));
}

/** User + system CPU ms these processes used so far. */
export function processesCpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command (which may hold spaces) start after the last ")".
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return (1000 * ticks) / TICKS_PER_SECOND;
}
