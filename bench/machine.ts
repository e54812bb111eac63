// Where the figures were taken: they mean little without the machine and the database settings.
import os from "node:os";
import type { Db } from "../functions/_shared/db/port.ts";

export interface MachineInfo {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** 1-minute load average when the bench started: other work on the machine skews every figure. */
  loadAverage: number;
}

export interface DatabaseInfo {
  serverVersion: string;
  synchronousCommit: string;
  fsync: string;
  maxConnections: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / 2 ** 30,
    loadAverage: os.loadavg()[0] ?? Number.NaN,
  };
}

export async function databaseInfo(db: Db): Promise<DatabaseInfo> {
  const [row] = await db.query<{ v: string; sc: string; f: string; mc: string }>(
    `select current_setting('server_version') as v, current_setting('synchronous_commit') as sc,
            current_setting('fsync') as f, current_setting('max_connections') as mc`,
  );
  return { serverVersion: row!.v, synchronousCommit: row!.sc, fsync: row!.f, maxConnections: row!.mc };
}
