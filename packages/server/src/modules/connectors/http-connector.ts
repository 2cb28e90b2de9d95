import { hmacSha256Hex } from '../../platform/crypto.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import {
  ConnectorDefinition, MissingVariable, readJsonPath, renderBody, renderString,
  type ConnectorDefinitionInput, type ConnectorOperation,
} from './connector-definition.ts';

export type ConnectorErrorKind = 'timeout' | 'unavailable' | 'bad_response' | 'http_error' | 'circuit_open' | 'invalid_request';

/**
 * The outcome of a call. Remote failures are values, never exceptions: the flow takes its error branch and the
 * customer gets a polite message. `invalid_request` is the caller's side (unknown operation, a variable without a
 * value); nothing is sent.
 */
export type ConnectorResult =
  | { ok: true; vars: Record<string, unknown>; status: number }
  | { ok: false; error: ConnectorErrorKind; status?: number; message: string };

export type CircuitState = 'closed' | 'open' | 'half_open';

export type Connector = {
  readonly id: string;
  call(operation: string, vars: Record<string, unknown>): Promise<ConnectorResult>;
  circuitState(): CircuitState;
};

export type ConnectorDeps = {
  fetch?: typeof fetch;
  /** Drives the circuit breaker and HMAC timestamps (tests move it forward). Timeouts and backoff use real timers. */
  clock?: Clock;
  logger?: Logger;
  /** Backoff jitter source (tests make it deterministic). */
  random?: () => number;
};

// Methods that are safe to repeat by HTTP semantics; POST/PATCH only with an Idempotency-Key.
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

type Attempt =
  | { kind: 'response'; status: number; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string };

export function createConnector(input: ConnectorDefinitionInput, deps: ConnectorDeps = {}): Connector {
  const def = ConnectorDefinition.parse(input);
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger?.child({ connector: def.id });
  const base = def.baseUrl.replace(/\/+$/, '');

  // Circuit breaker: `failureThreshold` failed calls in a row open it; after `openMs` one probe call is let through
  // (half-open); its success closes the circuit, its failure opens it again for another `openMs`.
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;

  const admit = (): 'normal' | 'probe' | 'reject' => {
    if (state === 'closed') return 'normal';
    if (state === 'open' && clock.now().getTime() - openedAt >= def.circuitBreaker.openMs) state = 'half_open';
    if (state === 'half_open' && !probing) {
      probing = true;
      return 'probe';
    }
    return 'reject';
  };
  const record = (success: boolean, probe: boolean) => {
    if (probe) probing = false;
    if (success) {
      if (state !== 'closed') log?.info({ event: 'circuit_closed' }, 'connector circuit closed');
      state = 'closed';
      failures = 0;
      return;
    }
    failures++;
    if (probe || failures >= def.circuitBreaker.failureThreshold) {
      if (state !== 'open') log?.warn({ event: 'circuit_open', failures }, 'connector circuit opened');
      state = 'open';
      openedAt = clock.now().getTime();
    }
  };

  function buildRequest(op: ConnectorOperation, vars: Record<string, unknown>) {
    const url = new URL(base + renderString(op.path, vars, encodeURIComponent));
    for (const [k, v] of Object.entries(op.query ?? {})) url.searchParams.set(k, renderString(v, vars));
    const body = op.body === undefined ? '' : JSON.stringify(renderBody(op.body, vars));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'lingxi-connector/1' };
    if (body) headers['content-type'] = 'application/json';
    if (op.idempotencyKey) headers['idempotency-key'] = renderString(op.idempotencyKey, vars);
    return { url, body, headers };
  }

  function authHeaders(method: string, url: URL, body: string): Record<string, string> {
    const a = def.auth;
    if (a.type === 'header') return { [a.name]: a.value };
    if (a.type === 'hmac') {
      // Signed fresh on every attempt: a retry after backoff must not carry a stale timestamp.
      const ts = String(Math.floor(clock.now().getTime() / 1000));
      return { [a.timestampHeader]: ts, [a.header]: hmacSha256Hex(a.secret, `${ts}\n${method}\n${url.pathname}${url.search}\n${body}`) };
    }
    return {};
  }

  async function attempt(method: string, url: URL, body: string, headers: Record<string, string>, deadline: number): Promise<Attempt> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { kind: 'timeout' };
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), remaining);
    try {
      const res = await doFetch(url, { method, headers: { ...headers, ...authHeaders(method, url, body) }, body: body || undefined, signal: ctl.signal, redirect: 'error' });
      // The body read is under the same deadline: a server that sends headers and then stalls is a timeout too.
      const text = await res.text();
      return { kind: 'response', status: res.status, text };
    } catch (e) {
      if (ctl.signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', message: (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  function mapResponse(op: ConnectorOperation, status: number, text: string): ConnectorResult {
    const paths = Object.entries(op.map);
    if (paths.length === 0 && text.trim() === '') return { ok: true, vars: {}, status };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, error: 'bad_response', status, message: 'response body is not JSON' };
    }
    const vars: Record<string, unknown> = {};
    for (const [name, path] of paths) {
      const v = readJsonPath(json, path);
      if (v === undefined) return { ok: false, error: 'bad_response', status, message: `response has no value at "${path}" (for {${name}})` };
      vars[name] = v;
    }
    return { ok: true, vars, status };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function call(operation: string, vars: Record<string, unknown>): Promise<ConnectorResult> {
    const op = Object.prototype.hasOwnProperty.call(def.operations, operation) ? def.operations[operation] : undefined;
    if (!op) return { ok: false, error: 'invalid_request', message: `connector ${def.id} has no operation "${operation}"` };
    let req: ReturnType<typeof buildRequest>;
    try {
      req = buildRequest(op, vars);
    } catch (e) {
      if (e instanceof MissingVariable) return { ok: false, error: 'invalid_request', message: e.message };
      return { ok: false, error: 'invalid_request', message: `cannot build the request: ${(e as Error).message}` };
    }

    const admission = admit();
    if (admission === 'reject') return { ok: false, error: 'circuit_open', message: `${def.name} is unavailable (circuit open)` };
    const probe = admission === 'probe';
    const started = Date.now();
    const deadline = started + def.timeoutMs;
    const retryable = IDEMPOTENT.has(op.method) || Boolean(op.idempotencyKey);
    // A half-open probe is one request: it only asks "is the system back?".
    const maxAttempts = retryable && !probe ? def.retries.max + 1 : 1;
    const success = (s: number) => (op.successStatuses ? op.successStatuses.includes(s) : s >= 200 && s < 300);

    let result: ConnectorResult = { ok: false, error: 'unavailable', message: 'not attempted' };
    let attempts = 0;
    for (let i = 0; i < maxAttempts; i++) {
      attempts++;
      const a = await attempt(op.method, req.url, req.body, req.headers, deadline);
      let retry = false;
      if (a.kind === 'timeout') {
        result = { ok: false, error: 'timeout', message: `${def.name} did not answer within ${def.timeoutMs} ms` };
      } else if (a.kind === 'network') {
        result = { ok: false, error: 'unavailable', message: `${def.name} is unreachable (${a.message})` };
        retry = true;
      } else if (success(a.status)) {
        result = mapResponse(op, a.status, a.text);
      } else if (def.retries.onStatuses.includes(a.status)) {
        result = { ok: false, error: 'unavailable', status: a.status, message: `${def.name} answered ${a.status}` };
        retry = true;
      } else {
        result = { ok: false, error: 'http_error', status: a.status, message: `${def.name} answered ${a.status}${errorHint(a.text)}` };
      }
      if (!retry || i === maxAttempts - 1) break;
      // Exponential backoff with jitter (50–100 % of base·2^i), never past the call's deadline.
      const delay = def.retries.baseDelayMs * 2 ** i * (0.5 + random() / 2);
      if (Date.now() + delay >= deadline) break;
      await sleep(delay);
    }

    // 4xx answers are the remote system working as designed; only outages and broken answers trip the breaker.
    const healthy = result.ok || result.error === 'http_error';
    record(healthy, probe);
    const ms = Date.now() - started;
    if (result.ok) log?.debug({ operation, status: result.status, attempts, ms }, 'connector call ok');
    else log?.warn({ operation, error: result.error, status: result.status, attempts, ms }, 'connector call failed');
    return result;
  }

  return { id: def.id, call, circuitState: () => (state === 'open' && clock.now().getTime() - openedAt >= def.circuitBreaker.openMs ? 'half_open' : state) };
}

/** A short, safe hint from an error body (`{error: {code}}` or `{code}`), for logs and the flow designer. */
function errorHint(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown } | string; code?: unknown };
    const code = typeof j.error === 'object' ? j.error?.code : (j.error ?? j.code);
    return typeof code === 'string' && /^[\w.-]{1,60}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}
