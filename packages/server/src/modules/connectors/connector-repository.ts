/** A tenant's connector as stored: the definition without its secrets, and the secrets sealed by the field cipher. */
export type StoredConnector = {
  tenantId: string;
  id: string;
  /** The parsed ConnectorDefinition with the auth secret (header value, HMAC secret) taken out. */
  definition: Record<string, unknown>;
  /** Field-cipher token of the JSON `{value?, secret?}`; null when the connector has no secret. */
  secretsEnc: string | null;
  /** Grows with every change: a node's cached connector is rebuilt when it differs. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};

/** The connector port; every method is scoped by tenant. */
export type ConnectorRepository = {
  list(tenantId: string): Promise<StoredConnector[]>;
  get(tenantId: string, id: string): Promise<StoredConnector | null>;
  /** Inserts, or replaces the definition and secrets and increments the revision. */
  upsert(tenantId: string, c: { id: string; definition: Record<string, unknown>; secretsEnc: string | null; updatedBy: string | null }, at: Date): Promise<StoredConnector>;
  delete(tenantId: string, id: string): Promise<boolean>;
};
