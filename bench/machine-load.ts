// The machine is shared: every result carries the load it was measured under.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";

export type MachineLoad = { at: string; loadAverage: number[]; uptime: string };

export function machineLoad(): MachineLoad {
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  let uptime: string;
  try {
    uptime = execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    uptime = `load average: ${loadAverage.join(", ")}`;
  }
  return { at: new Date().toISOString(), loadAverage, uptime };
}
