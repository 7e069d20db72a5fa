/**
 * @module
 * Mapping between database rows and the repository's types, shared by both backends (both keep
 * JSON in TEXT columns and times as epoch milliseconds).
 */
import type { TaskType } from "../tasks/mod.ts";
import type { ItemRow, Lease, ResultRow } from "./repository.ts";

/** A raw `items` row. */
export interface ItemRecord {
  id: number | bigint | string;
  guid: string;
  type: string;
  source: string | null;
  source_id: string | null;
  participants: string;
  lines: string;
  metadata: string | null;
  created_at: number | bigint | string;
}

/** A raw `results` row. */
export interface ResultRecord {
  id: number | bigint | string;
  bundle_guid: string;
  neuron_type: string;
  hotkey: string;
  task_id: string;
  body_version: string;
  batch_number: number | null;
  cgp_version: string | null;
  llm_type: string | null;
  model: string | null;
  marker_id: string | null;
  submitted_by: string | null;
  body: string;
  created_at: number | bigint | string;
}

/** A raw `leases` row joined with its item's guid. */
export interface LeaseRecord {
  guid: string;
  holder: string;
  expires_at: number | bigint | string;
  reserve_count: number | bigint | string;
}

/** Items row → {@link ItemRow}. */
export function toItem(r: ItemRecord): ItemRow {
  return {
    id: Number(r.id),
    guid: r.guid,
    type: r.type as TaskType,
    source: r.source,
    sourceId: r.source_id,
    participants: JSON.parse(r.participants),
    lines: JSON.parse(r.lines),
    metadata: r.metadata == null ? null : JSON.parse(r.metadata),
    createdAt: Number(r.created_at),
  };
}

/** Results row → {@link ResultRow}. */
export function toResult(r: ResultRecord): ResultRow {
  return {
    id: Number(r.id),
    bundleGuid: r.bundle_guid,
    neuronType: r.neuron_type as ResultRow["neuronType"],
    hotkey: r.hotkey,
    taskId: r.task_id,
    bodyVersion: r.body_version as ResultRow["bodyVersion"],
    batchNumber: r.batch_number == null ? null : Number(r.batch_number),
    cgpVersion: r.cgp_version,
    llmType: r.llm_type,
    model: r.model,
    markerId: r.marker_id,
    submittedBy: r.submitted_by,
    body: JSON.parse(r.body),
    createdAt: Number(r.created_at),
  };
}

/** Leases row → {@link Lease}. */
export function toLease(r: LeaseRecord): Lease {
  return {
    guid: r.guid,
    holder: r.holder,
    expiresAt: Number(r.expires_at),
    reserveCount: Number(r.reserve_count),
  };
}

/** Clamps paging arguments to sane bounds. */
export function paging(offset?: number, limit?: number): { offset: number; limit: number } {
  const o = Number.isFinite(offset) && offset! > 0 ? Math.floor(offset!) : 0;
  const l = Number.isFinite(limit) && limit! > 0 ? Math.min(Math.floor(limit!), 1000) : 50;
  return { offset: o, limit: l };
}
