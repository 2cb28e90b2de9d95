import { z } from 'zod';

// A declarative HTTP connector: how a bank wires its core system to flows without code. The definition is data
// (stored with the bot, edited in the console); createConnector() in http-connector.ts runs it.

const Placeholder = /\{([^{}]*)\}/g;
const VarName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A small, safe JSON path: `a.b[0].c`, or `$` for the whole body. No filters, wildcards or expressions. */
const JsonPathRe = /^(\$|[^.[\]]+(\[\d+\])*(\.[^.[\]]+(\[\d+\])*)*)$/;

export const JsonPath = z.string().min(1).max(200).regex(JsonPathRe, 'a path like `data.items[0].amount` (dots and [index] only), or `$`');

export const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export const ConnectorAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  /** `value` is a secret: stored encrypted, never logged, never returned by the API in clear. */
  z.object({ type: z.literal('header'), name: z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'a header name'), value: z.string().min(1).max(2000) }),
  /** HMAC-SHA256 over `timestamp \n METHOD \n path?query \n body`, hex, in `header`; unix seconds in `timestampHeader`. */
  z.object({
    type: z.literal('hmac'), secret: z.string().min(8).max(2000),
    header: z.string().min(1).max(100).default('X-Signature'), timestampHeader: z.string().min(1).max(100).default('X-Timestamp'),
  }),
]);
export type ConnectorAuth = z.infer<typeof ConnectorAuth>;

export const ConnectorOperation = z.object({
  method: HttpMethod,
  /** Path below baseUrl with `{var}` placeholders; values are URL-encoded. */
  path: z.string().min(1).max(500).startsWith('/', 'the path starts with /'),
  query: z.record(z.string().min(1).max(100), z.string().max(500)).optional(),
  /** A JSON template: a string that is exactly `{var}` takes the variable's value with its type; other strings interpolate. */
  body: z.unknown().optional(),
  /** Template for the Idempotency-Key header; makes a POST safe to retry. */
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** Flow variable -> JSON path in the response body. A missing path is a bad_response. */
  map: z.record(z.string().regex(VarName, 'a flow variable name'), JsonPath).default({}),
  successStatuses: z.array(z.number().int().min(100).max(599)).min(1).optional(),
});
export type ConnectorOperation = z.infer<typeof ConnectorOperation>;

export const ConnectorDefinition = z.object({
  id: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1).max(100),
  baseUrl: z.string().max(500),
  auth: ConnectorAuth.default({ type: 'none' }),
  /** Deadline for one call, retries and backoff included: the customer is waiting. */
  timeoutMs: z.number().int().min(50).max(60_000).default(5000),
  retries: z.object({
    max: z.number().int().min(0).max(5).default(2),
    baseDelayMs: z.number().int().min(0).max(10_000).default(200),
    onStatuses: z.array(z.number().int().min(400).max(599)).default([502, 503, 504]),
  }).prefault({}),
  circuitBreaker: z.object({
    failureThreshold: z.number().int().min(1).max(100).default(5),
    openMs: z.number().int().min(100).max(600_000).default(30_000),
  }).prefault({}),
  operations: z.record(z.string().regex(VarName, 'an operation name'), ConnectorOperation),
});
export type ConnectorDefinition = z.infer<typeof ConnectorDefinition>;
export type ConnectorDefinitionInput = z.input<typeof ConnectorDefinition>;

/** Placeholder names in a template string, in order (duplicates kept). */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(Placeholder)].map((m) => m[1]);
}

function walkStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) walkStrings(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
    out.push(k);
    walkStrings(x, out);
  }
  return out;
}

/** Every template string of an operation: path, query values, body (keys and values), idempotency key. */
function templatesOf(op: ConnectorOperation): { where: string; text: string }[] {
  return [
    { where: 'path', text: op.path },
    ...Object.entries(op.query ?? {}).map(([k, v]) => ({ where: `query.${k}`, text: v })),
    ...walkStrings(op.body).map((text) => ({ where: 'body', text })),
    ...(op.idempotencyKey ? [{ where: 'idempotencyKey', text: op.idempotencyKey }] : []),
  ];
}

/** The flow variables an operation needs (its placeholders), for flow validation. */
export function operationInputs(op: ConnectorOperation): string[] {
  return [...new Set(templatesOf(op).flatMap((t) => placeholdersIn(t.text)))];
}

/**
 * Problems with a connector definition, as readable lines; empty when it is usable. `variables`, when given, is the
 * set of flow variables that can exist: a placeholder outside it is reported as unknown.
 */
export function validateConnector(def: unknown, opts: { variables?: Iterable<string> } = {}): string[] {
  const parsed = ConnectorDefinition.safeParse(def);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || '(definition)'}: ${i.message}`);
  const d = parsed.data;
  const problems: string[] = [];
  let base: URL | undefined;
  try {
    base = new URL(d.baseUrl);
  } catch {
    problems.push(`baseUrl: "${d.baseUrl}" is not an absolute URL`);
  }
  if (base) {
    if (base.protocol !== 'http:' && base.protocol !== 'https:') problems.push('baseUrl: only http and https are supported');
    if (base.search || base.hash) problems.push('baseUrl: must not carry a query or fragment');
    if (base.username || base.password) problems.push('baseUrl: credentials belong in auth, not in the URL');
  }
  const known = opts.variables ? new Set(opts.variables) : undefined;
  if (Object.keys(d.operations).length === 0) problems.push('operations: at least one operation is needed');
  for (const [name, op] of Object.entries(d.operations)) {
    for (const t of templatesOf(op)) {
      const opens = (t.text.match(/\{/g) ?? []).length;
      const closes = (t.text.match(/\}/g) ?? []).length;
      const names = placeholdersIn(t.text);
      if (t.where !== 'body' && (opens !== closes || opens !== names.length)) problems.push(`operations.${name}.${t.where}: unbalanced braces in "${t.text}"`);
      for (const v of names) {
        if (!VarName.test(v)) problems.push(`operations.${name}.${t.where}: "{${v}}" is not a valid placeholder`);
        else if (known && !known.has(v)) problems.push(`operations.${name}.${t.where}: unknown placeholder {${v}}`);
      }
    }
    if (/[?#]/.test(op.path)) problems.push(`operations.${name}.path: put query parameters in "query", not in the path`);
    if (base) {
      try {
        new URL(base.href.replace(/\/$/, '') + op.path.replace(Placeholder, 'x'));
      } catch {
        problems.push(`operations.${name}.path: does not make a valid URL`);
      }
    }
    if (op.body !== undefined && (op.method === 'GET' || op.method === 'DELETE')) problems.push(`operations.${name}.body: ${op.method} requests carry no body`);
  }
  return problems;
}

/** Values a placeholder accepts; anything else (objects, null, missing) is a missing variable. */
export type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

export class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`variable {${variable}} has no value`);
  }
}

/** Fills `{var}` in a string; `encode` is applied to each value (URL path segments). */
export function renderString(template: string, vars: Record<string, unknown>, encode: (s: string) => string = (s) => s): string {
  return template.replace(Placeholder, (_m, name: string) => {
    const v = vars[name];
    if (!Object.prototype.hasOwnProperty.call(vars, name) || !isScalar(v)) throw new MissingVariable(name);
    return encode(String(v));
  });
}

/** Fills a JSON body template. `"{amount}"` alone keeps the value's JSON type; `"卡号{cardNo}"` becomes a string. */
export function renderBody(template: unknown, vars: Record<string, unknown>): unknown {
  if (typeof template === 'string') {
    const whole = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(template);
    if (whole) {
      const v = vars[whole[1]];
      if (!Object.prototype.hasOwnProperty.call(vars, whole[1]) || v === undefined || v === null) throw new MissingVariable(whole[1]);
      return v;
    }
    return renderString(template, vars);
  }
  if (Array.isArray(template)) return template.map((x) => renderBody(x, vars));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [renderString(k, vars), renderBody(v, vars)]));
  }
  return template;
}

/** Reads a JSON path; `undefined` when any step is missing. Only own properties: no prototype walking. */
export function readJsonPath(root: unknown, path: string): unknown {
  if (path === '$') return root;
  let cur: unknown = root;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (m[2] !== undefined) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(m[2])];
    } else {
      if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, m[1])) return undefined;
      cur = (cur as Record<string, unknown>)[m[1]];
    }
  }
  return cur;
}
