// CPU time spent by processes, from /proc: on a shared machine, "how much CPU did one request
// cost each process" holds steady where requests/s swings with the neighbours' load.
import { readdirSync, readFileSync } from "node:fs";

const ticksPerSecond = 100;

type Stat = { pid: number; ppid: number; cpuSeconds: number; reapedChildrenCpuSeconds: number };

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return {
      pid,
      ppid: Number(fields[1]),
      cpuSeconds: (utime! + stime!) / ticksPerSecond,
      reapedChildrenCpuSeconds: (cutime! + cstime!) / ticksPerSecond,
    };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by a process. */
export function processCpuSeconds(pid: number): number {
  return stat(pid)?.cpuSeconds ?? 0;
}

/**
 * CPU seconds used so far by a process and its children, live or exited (PostgreSQL: the
 * postmaster, its backends, and the backends of connections already closed).
 */
export function processTreeCpuSeconds(rootPid: number): number {
  const root = stat(rootPid);
  if (!root) return 0;
  const liveChildren = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is Stat => s !== null && s.ppid === rootPid);
  return liveChildren.reduce((sum, s) => sum + s.cpuSeconds, root.cpuSeconds + root.reapedChildrenCpuSeconds);
}

/** The postmaster's pid, from the data directory's postmaster.pid. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
}
