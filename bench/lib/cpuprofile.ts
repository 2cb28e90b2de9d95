import { readFileSync } from 'node:fs';
import { ROOT } from './server-process.ts';

/**
 * Summarises a V8 .cpuprofile: where the sampled CPU time went, by function (self time) and by source area
 * (a package under node_modules, a file of ours, or V8/Node internals), as shares of all samples of the window,
 * idle included. Run on its own: `node --import tsx bench/lib/cpuprofile.ts <file.cpuprofile> [top]`.
 */

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
export type ProfileSummary = {
  window_ms: number;
  idle_pct: number;
  gc_pct: number;
  /** Self time by function, top entries, percent of the window. */
  functions: { fn: string; where: string; pct: number }[];
  /** Self time by area (npm package, our file, or an internal bucket), top entries, percent of the window. */
  areas: { area: string; pct: number }[];
  /** Inclusive time of our own source files (any frame of the file on the stack), percent of the window. */
  inclusive: { file: string; pct: number }[];
};

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const total = p.endTime - p.startTime;
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') { idle += us; continue; }
    if (functionName === '(garbage collector)') gc += us;
    const area = areaOf(url, functionName);
    const where = url ? `${area}:${lineNumber + 1}` : area;
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    f.us += us;
    fns.set(key, f);
    areas.set(area, (areas.get(area) ?? 0) + us);
    // Inclusive by our own files: count each file once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const u = byId.get(cur)!.callFrame.url;
      if (!u || u.includes('/node_modules/') || !u.includes(ROOT)) continue;
      const f2 = u.replace(/^file:\/\//, '').slice(ROOT.length);
      if (seen.has(f2)) continue;
      seen.add(f2);
      inclusive.set(f2, (inclusive.get(f2) ?? 0) + us);
    }
  }
  return {
    window_ms: Math.round(total / 1000),
    idle_pct: pct(idle),
    gc_pct: pct(gc),
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ fn: f.fn, where: f.where, pct: pct(f.us) })),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, us]) => ({ area, pct: pct(us) })),
    inclusive: [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top).map(([file, us]) => ({ file, pct: pct(us) })),
  };
}

export function printProfile(s: ProfileSummary, log: (s: string) => void) {
  log(`cpu profile: ${s.window_ms} ms window, idle ${s.idle_pct}%, GC ${s.gc_pct}%`);
  log('  self time by area:');
  for (const a of s.areas) log(`    ${String(a.pct).padStart(5)}%  ${a.area}`);
  log('  self time by function:');
  for (const f of s.functions) log(`    ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.where}`);
  log('  inclusive time by our source file:');
  for (const f of s.inclusive) log(`    ${String(f.pct).padStart(5)}%  ${f.file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/lib/cpuprofile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  printProfile(summarizeProfile(file, top ? Number(top) : 25), (s) => process.stdout.write(`${s}\n`));
}
