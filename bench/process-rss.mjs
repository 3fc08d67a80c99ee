// The workerd processes a `wrangler dev` started (its descendants) and their resident memory, in MiB.
import { execFileSync } from "node:child_process";

/** The descendants of `rootPid`, with their resident KiB and command name, from `ps`. */
function descendants(rootPid) {
  const out = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,comm="], { encoding: "utf8" });
  const rows = out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, rss, comm]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss), comm }));
  const found = [];
  const queue = [rootPid];
  while (queue.length) {
    const p = queue.shift();
    for (const r of rows) {
      if (r.ppid !== p) continue;
      found.push(r);
      queue.push(r.pid);
    }
  }
  return found;
}

/** The pids of the workerd descendants of `rootPid`. */
export function workerdPids(rootPid) {
  return descendants(rootPid)
    .filter((r) => r.comm.includes("workerd"))
    .map((r) => r.pid);
}

export function workerdRss(rootPid) {
  return (
    descendants(rootPid)
      .filter((r) => r.comm.includes("workerd"))
      .reduce((n, r) => n + r.rss, 0) / 1024
  );
}

/** Samples workerdRss every `ms` until stopped; `stop()` answers the peak. */
export function samplePeakRss(rootPid, ms = 200) {
  let peak = workerdRss(rootPid);
  const timer = setInterval(() => {
    peak = Math.max(peak, workerdRss(rootPid));
  }, ms);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
