import type { Coordination } from '../../../platform/coordination.ts';
import { DEFAULT_RETRY, SharedAccessToken, VendorError, vendorJson, withRetry, type RetryPolicy } from '../core/vendor-http.ts';

type WxResult = { errcode?: number; errmsg?: string; access_token?: string; expires_in?: number };

/** errcodes meaning "this access token is no longer valid": fetch a new one and try again. */
const TOKEN_INVALID = new Set([40001, 40014, 42001]);
/** -1: 系统繁忙 (system busy), worth retrying after a pause. */
const BUSY = -1;

export type WechatApiTarget = { configId: string; appId: string; appSecret?: string; apiBase: string };

/**
 * The WeChat server API we call: access token (cgi-bin/token) and customer-service messages
 * (cgi-bin/message/custom/send, official accounts and mini-programs alike). The base URL is per config, so tests
 * (and private gateways) can point it elsewhere. The vendor wants access_token and appsecret as query parameters
 * (https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html); those URLs are never logged.
 */
export class WechatApi {
  private tokens = new Map<string, SharedAccessToken>();

  constructor(private coordination: Coordination, private opts: { timeoutMs?: number; retry?: RetryPolicy } = {}) {}

  private token(t: WechatApiTarget): SharedAccessToken {
    const k = `${t.configId}:${t.appId}`;
    let tok = this.tokens.get(k);
    if (!tok) {
      tok = new SharedAccessToken(this.coordination, `wx:token:${k}`, async () => {
        if (!t.appSecret) throw new VendorError('appSecret is not configured: cannot call the customer-service API', false);
        const url = `${t.apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(t.appId)}&secret=${encodeURIComponent(t.appSecret)}`;
        const r = await withRetry(() => vendorJson<WxResult>({ method: 'GET', url, timeoutMs: this.opts.timeoutMs ?? 5000 }), this.opts.retry ?? DEFAULT_RETRY);
        if (!r.access_token) throw new VendorError(`token: errcode ${r.errcode} ${r.errmsg ?? ''}`.trim(), r.errcode === BUSY, r.errcode);
        return { token: r.access_token, expiresInS: Number(r.expires_in) || 7200 };
      });
      this.tokens.set(k, tok);
    }
    return tok;
  }

  /** POSTs to a token-authenticated endpoint, refreshing the token once when WeChat says it is invalid. */
  async call(t: WechatApiTarget, path: string, body: unknown): Promise<WxResult> {
    return withRetry(async () => {
      const tok = this.token(t);
      const token = await tok.get();
      const r = await vendorJson<WxResult>({ method: 'POST', url: `${t.apiBase}${path}?access_token=${encodeURIComponent(token)}`, body, timeoutMs: this.opts.timeoutMs ?? 5000 });
      const code = r.errcode ?? 0;
      if (code === 0) return r;
      if (TOKEN_INVALID.has(code)) {
        await tok.invalidate(token);
        throw new VendorError(`access token rejected (${code})`, true, code);
      }
      throw new VendorError(`errcode ${code} ${r.errmsg ?? ''}`.trim(), code === BUSY, code);
    }, this.opts.retry ?? DEFAULT_RETRY);
  }

  customSend(t: WechatApiTarget, body: Record<string, unknown>) {
    return this.call(t, '/cgi-bin/message/custom/send', body);
  }
}
