import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseFlags } from './main.ts';
import { loadConfig } from '../config.ts';
import { compose } from '../compose.ts';
import { openPgliteDb } from '../storage/pglite-db.ts';
import { createLogger } from '../platform/logger.ts';
import { parseDataCsv } from '../platform/csv.ts';

/**
 * `lingxi eval faq --kb <kb.csv|kb.xlsx> --queries <queries.csv>`
 * Imports the knowledge file (the documented import layout) into a throwaway bot in an in-memory database, publishes
 * it, and asks every query through the real chat path (a fresh session each). Queries: CSV `text,expected_id`, where
 * expected_id is a value of the knowledge file's id column (empty = out of scope: the robot should not answer).
 * Last stdout line: one JSON object.
 */
export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  const kbPath = flags.kb, queriesPath = flags.queries;
  if (typeof kbPath !== 'string' || typeof queriesPath !== 'string') throw new Error('usage: lingxi eval faq --kb <kb.csv|kb.xlsx> --queries <queries.csv>');
  const format = extname(kbPath).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv';
  const rows = parseDataCsv(readFileSync(queriesPath, 'utf8'));
  const header = rows.shift()?.map((h) => h.trim().toLowerCase()) ?? [];
  const ti = header.indexOf('text'), ei = header.indexOf('expected_id');
  if (ti < 0 || ei < 0) throw new Error('queries CSV needs the header text,expected_id');
  const queries = rows.filter((r) => (r[ti] ?? '').trim()).map((r) => ({ text: r[ti], expected: (r[ei] ?? '').trim() }));

  const config = loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_DEMO: 'false' } as NodeJS.ProcessEnv);
  const deps = await compose(config, { db: await openPgliteDb(), logger: createLogger('silent') });
  try {
    const tenant = await deps.tenancy.createTenant('eval', 'eval');
    const bot = await deps.tenancy.createBot(tenant.id, { slug: 'eval-faq', name: 'eval', isPublic: true });
    const p = { tenantId: tenant.id, actor: 'eval' };
    const report = await deps.knowledge.importEntries(p, bot.id, { buffer: readFileSync(kbPath), format });
    if (!report.ok) throw new Error(`knowledge import failed: ${report.errors.slice(0, 5).map((e) => `row ${e.row}: ${e.message}`).join('; ')}`);
    await deps.knowledge.publish(p, bot.id, 'eval');
    const freshBot = await deps.tenancy.getBot(tenant.id, bot.id);
    const loaded = await deps.models.get(freshBot);
    if (!loaded) throw new Error('nothing published');

    let top1 = 0, top3 = 0, answered = 0, clarified = 0, fallback = 0, handoff = 0, answeredRight = 0, clarifyHasRight = 0, oosN = 0, oosRejected = 0;
    const lat: number[] = [];
    const inScope = queries.filter((q) => q.expected);
    for (const q of queries) {
      const hits = loaded.model.match(q.text, 3);
      const t0 = performance.now();
      const r = await deps.chat.handle({ bot: bot.id, text: q.text, channel: 'web' });
      lat.push(performance.now() - t0);
      const first = r.replies[0];
      const type = first?.type;
      if (type === 'answer') answered++;
      else if (type === 'clarify') clarified++;
      else if (type === 'handoff') handoff++;
      else fallback++;
      if (!q.expected) {
        oosN++;
        if (type !== 'answer') oosRejected++;
        continue;
      }
      if (hits[0]?.id === q.expected) top1++;
      if (hits.some((h) => h.id === q.expected)) top3++;
      if (type === 'answer' && first.entryId === q.expected) answeredRight++;
      if (type === 'clarify' && first.options?.some((o) => o.entryId === q.expected)) clarifyHasRight++;
    }
    lat.sort((a, b) => a - b);
    const n = queries.length, m = inScope.length || 1;
    const pct = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 1000) / 1000;
    const f = (x: number, d: number) => Math.round((x / (d || 1)) * 10000) / 10000;
    const out = {
      n, n_inscope: inScope.length, n_oos: oosN,
      top1: f(top1, m), top3: f(top3, m),
      answered: f(answered, n), clarified: f(clarified, n), fallback: f(fallback + handoff, n),
      answered_correct: f(answeredRight, m), // Of all direct answers (in scope or not), the share that was the expected entry.
      answer_precision: f(answeredRight, answered),
      resolved: f(answeredRight + clarifyHasRight, m), oos_rejected: oosN ? f(oosRejected, oosN) : null,
      entries: report.imported, p50_ms: pct(0.5), p99_ms: pct(0.99),
    };
    console.log(JSON.stringify(out));
  } finally {
    await deps.close();
  }
}
