import type { Coordination } from '../../../platform/coordination.ts';
import { DEFAULT_RETRY, SharedAccessToken, VendorError, vendorJson, withRetry, type RetryPolicy } from '../core/vendor-http.ts';

export type WecomResult = { errcode?: number; errmsg?: string; access_token?: string; expires_in?: number; [k: string]: unknown };
export type WecomTarget = { configId: string; corpId: string; secret?: string; apiBase: string };

const TOKEN_INVALID = new Set([40014, 42001]);
const BUSY = -1;

/**
 * WeCom server API (https://developer.work.weixin.qq.com/document/path/90664): gettoken with the CorpID and the
 * secret of the app (or of 微信客服), then token-authenticated POSTs. access_token travels in the query string as
 * the vendor requires; those URLs are never logged.
 */
export class WecomApi {
  private tokens = new Map<string, SharedAccessToken>();

  constructor(private coordination: Coordination, private opts: { timeoutMs?: number; retry?: RetryPolicy } = {}) {}

  private token(t: WecomTarget): SharedAccessToken {
    let tok = this.tokens.get(t.configId);
    if (!tok) {
      tok = new SharedAccessToken(this.coordination, `wecom:token:${t.configId}:${t.corpId}`, async () => {
        if (!t.secret) throw new VendorError('the secret is not configured: cannot call the WeCom API', false);
        const url = `${t.apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(t.corpId)}&corpsecret=${encodeURIComponent(t.secret)}`;
        const r = await withRetry(() => vendorJson<WecomResult>({ method: 'GET', url, timeoutMs: this.opts.timeoutMs ?? 5000 }), this.opts.retry ?? DEFAULT_RETRY);
        if (!r.access_token || (r.errcode ?? 0) !== 0) throw new VendorError(`gettoken: errcode ${r.errcode} ${r.errmsg ?? ''}`.trim(), r.errcode === BUSY, r.errcode);
        return { token: r.access_token, expiresInS: Number(r.expires_in) || 7200 };
      });
      this.tokens.set(t.configId, tok);
    }
    return tok;
  }

  /**
   * One API call, retried with backoff on timeouts and busy answers, with a fresh token when the token was
   * rejected. `isDelivered` lets a caller accept an error that means "already done" on a retry (a reused msgid).
   */
  async call(t: WecomTarget, path: string, body: unknown, opts: { isDelivered?: (r: WecomResult) => boolean } = {}): Promise<WecomResult> {
    return withRetry(async (attempt) => {
      const tok = this.token(t);
      const token = await tok.get();
      const r = await vendorJson<WecomResult>({ method: 'POST', url: `${t.apiBase}${path}?access_token=${encodeURIComponent(token)}`, body, timeoutMs: this.opts.timeoutMs ?? 5000 });
      const code = r.errcode ?? 0;
      if (code === 0) return r;
      if (attempt > 1 && opts.isDelivered?.(r)) return r;
      if (TOKEN_INVALID.has(code)) {
        await tok.invalidate(token);
        throw new VendorError(`access token rejected (${code})`, true, code);
      }
      throw new VendorError(`errcode ${code} ${r.errmsg ?? ''}`.trim(), code === BUSY, code);
    }, this.opts.retry ?? DEFAULT_RETRY);
  }
}
