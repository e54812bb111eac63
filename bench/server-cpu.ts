// PostgreSQL's own CPU, where the server runs on this machine: the postmaster and every process under it
// (live backends, WAL writer, checkpointer, autovacuum) plus what its exited children used (cutime +
// cstime, which a backend joins when it exits). Read from /proc, so a run's delta is the server's whole CPU
// for that run — the half of a 2-core machine a benchmark's Node side does not see. NaN when the server's
// processes are not readable here (another machine, a container).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { Db } from "../functions/_shared/db/port.ts";

/** Fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses). */
function procStat(pid: number | string): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

// Field numbers as proc(5) gives them, minus 3 (the fields start at "state", field 3).
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const CUTIME = 13;
const CSTIME = 14;

let microsPerTick: number | undefined;

function ticksToMicros(ticks: number): number {
  microsPerTick ??= 1e6 / (Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100);
  return ticks * microsPerTick;
}

function postmasterTicks(postmaster: number): number {
  const own = procStat(postmaster);
  let ticks = Number(own[UTIME]) + Number(own[STIME]) + Number(own[CUTIME]) + Number(own[CSTIME]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = procStat(entry);
      if (Number(fields[PPID]) === postmaster) ticks += Number(fields[UTIME]) + Number(fields[STIME]);
    } catch {
      // The process exited between the listing and the read: its CPU is in the postmaster's cutime now.
    }
  }
  return ticks;
}

/** A reader of the server's cumulative CPU in µs (NaN if not local), found through `db`'s backend. */
export async function serverCpuReader(db: Db): Promise<() => number> {
  const [row] = await db.query<{ pid: number }>("select pg_backend_pid() as pid");
  let postmaster: number;
  try {
    postmaster = Number(procStat(row!.pid)[PPID]);
  } catch {
    return () => Number.NaN;
  }
  return () => {
    try {
      return ticksToMicros(postmasterTicks(postmaster));
    } catch {
      return Number.NaN;
    }
  };
}
