export const IDENTITY_KINDS = ['phone', 'email', 'app_user', 'wechat_openid', 'wechat_unionid', 'wecom_userid', 'wecom_external', 'rcs', 'web_visitor'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export type Contact = { id: string; tenantId: string; displayName: string | null; mergedInto: string | null; createdAt: Date };
export type ContactIdentity = { kind: IdentityKind; value: string; verified: boolean };

export type ContactRepository = {
  findByIdentity(tenantId: string, kind: IdentityKind, valueHash: string): Promise<{ contactId: string; verified: boolean } | null>;
  /** Creates the contact with its first identity; when a concurrent request created it first, returns that one. */
  createWithIdentity(c: { id: string; tenantId: string; displayName: string | null }, ident: { kind: IdentityKind; valueHash: string; valueEnc: string; verified: boolean }): Promise<string>;
  addIdentity(tenantId: string, contactId: string, ident: { kind: IdentityKind; valueHash: string; valueEnc: string; verified: boolean }): Promise<void>;
  get(tenantId: string, id: string): Promise<Contact | null>;
  identities(tenantId: string, contactId: string): Promise<{ kind: IdentityKind; valueEnc: string; verified: boolean }[]>;
  /** Moves identities and conversations of `from` to `into` and marks `from` merged. */
  merge(tenantId: string, from: string, into: string): Promise<void>;
  setConversationContact(tenantId: string, conversationId: string, contactId: string): Promise<void>;
  /** Identities of several contacts at once (search results). */
  identitiesOf(tenantId: string, contactIds: string[]): Promise<{ contactId: string; kind: IdentityKind; valueEnc: string; verified: boolean }[]>;
  /**
   * Surviving (not merged) contacts whose id is in `ids` or whose display name contains `name`, newest first, with
   * how many conversations each has. Neither given: the newest contacts.
   */
  find(tenantId: string, opts: { ids?: string[]; name?: string; limit: number }): Promise<(Contact & { conversations: number })[]>;
  latestOpenConversation(tenantId: string, contactId: string, botId: string, channel: string, since: Date): Promise<string | null>;
};
