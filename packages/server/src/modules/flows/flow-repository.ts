import type { FlowDefinition } from '@lingxi/contracts';
import type { Queryable } from '../../storage/db.ts';

/** A flow of a bot's working copy. `definition.version` always equals `version`. */
export type StoredFlow = {
  tenantId: string;
  botId: string;
  id: string;
  version: number;
  definition: FlowDefinition;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};

export type FlowWrite = { id: string; version: number; definition: FlowDefinition; enabled: boolean; updatedBy: string | null };

/**
 * The flows port: the working copy of each bot's flows. `bind(q)` works on a transaction's connection (the knowledge
 * publish reads and restores flows inside its own transaction).
 */
export type FlowRepository = {
  bind(q: Queryable): FlowRepository;
  list(tenantId: string, botId: string, opts?: { enabledOnly?: boolean }): Promise<StoredFlow[]>;
  get(tenantId: string, botId: string, id: string): Promise<StoredFlow | null>;
  /**
   * Writes a flow if it is still at `expectedVersion` (null: if it does not exist yet). Returns null when another
   * write came first (the caller re-reads and retries).
   */
  save(tenantId: string, botId: string, f: FlowWrite, expectedVersion: number | null, at: Date): Promise<StoredFlow | null>;
  setEnabled(tenantId: string, botId: string, id: string, enabled: boolean, actor: string | null, at: Date): Promise<StoredFlow | null>;
  delete(tenantId: string, botId: string, id: string): Promise<boolean>;
};

/** Stable JSON (sorted keys), to tell a real change from a re-save of the same definition. */
export const stableJson = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v) ?? 'null'
    : Array.isArray(v)
      ? `[${v.map(stableJson).join(',')}]`
      : `{${Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;

/** Two definitions that behave the same (the version number aside). */
export const sameFlow = (a: FlowDefinition, b: FlowDefinition) => stableJson({ ...a, version: 0 }) === stableJson({ ...b, version: 0 });
