/** A configured channel endpoint as stored; secrets stay encrypted at this level. */
export type ChannelConfigRow = {
  id: string;
  tenantId: string;
  botId: string;
  type: string;
  name: string;
  public: Record<string, unknown>;
  /** FieldCipher token of the JSON object of secrets, or null when none were set. */
  secretsEnc: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export type ChannelConfigRepository = {
  insert(c: Omit<ChannelConfigRow, 'createdAt' | 'updatedAt'>): Promise<void>;
  find(tenantId: string, id: string): Promise<ChannelConfigRow | null>;
  /** Webhooks are addressed by config id alone; the caller authenticates the request (signature) afterwards. */
  findAnyTenant(id: string): Promise<ChannelConfigRow | null>;
  list(tenantId: string, opts?: { type?: string; botId?: string }): Promise<ChannelConfigRow[]>;
  update(tenantId: string, id: string, patch: Partial<Pick<ChannelConfigRow, 'name' | 'public' | 'secretsEnc' | 'enabled'>>): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
  bind(b: { tenantId: string; conversationId: string; configId: string; addressEnc: string }): Promise<void>;
  binding(tenantId: string, conversationId: string): Promise<{ configId: string; addressEnc: string } | null>;
  getCursor(tenantId: string, configId: string, stream: string): Promise<string | null>;
  setCursor(tenantId: string, configId: string, stream: string, cursor: string): Promise<void>;
};
