/**
 * Domain events of the knowledge module (emitted on the in-process EventBus after the change is committed).
 * Cross-node notification goes through the coordination channel KB_PUBLISHED_CHANNEL with {tenantId, botId, version}.
 */
export const KB_PUBLISHED_CHANNEL = 'kb.published';

export type KnowledgePublished = {
  type: 'knowledge.published';
  tenantId: string;
  at: string;
  botId: string;
  version: number;
  entryCount: number;
  actor: string;
  note: string | null;
  /** Set when this version was created by a rollback: the version whose content it restores. */
  rollbackOf?: number;
};

export type KnowledgeImported = {
  type: 'knowledge.imported';
  tenantId: string;
  at: string;
  botId: string;
  actor: string;
  created: number;
  updated: number;
};
