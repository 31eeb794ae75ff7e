import { createHmac } from "node:crypto";

export const GENESIS_MAC = "0".repeat(64);

export interface ChainRow {
  seq: number;
  ts: number;
  identity: string;
  action: string;
  path: string | null;
  leaseId: string | null;
  sourceIp: string | null;
  metadata: string | null;
  success: boolean;
  outcome: string;
  requestId: string | null;
}

// Field order is part of the format: changing it breaks verification of existing logs.
const canonical = (r: ChainRow) =>
  JSON.stringify([
    r.seq,
    r.ts,
    r.identity,
    r.action,
    r.path,
    r.leaseId,
    r.sourceIp,
    r.metadata,
    r.success,
    r.outcome,
    r.requestId,
  ]);

export const entryMac = (key: Uint8Array, prevMac: string, row: ChainRow): string =>
  createHmac("sha256", key).update(prevMac).update("\n").update(canonical(row)).digest("hex");

export const checkpointMac = (
  key: Uint8Array,
  throughSeq: number,
  headMac: string,
  ts: number,
  purged: number,
) =>
  createHmac("sha256", key).update(`checkpoint\n${throughSeq}\n${headMac}\n${ts}\n${purged}`).digest("hex");
