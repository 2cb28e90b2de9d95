/**
 * PROTOTYPE (not part of the engine): dense "dictionary embeddings" of Han characters and words from CC-CEDICT
 * (truncated SVD of term × English-gloss-word tf-idf), appended to the intent SVM's sparse vector. SMP CV harness.
 *   npx tsx eval/emb-proto.ts --data smp2019 --seeds 3 --gamma 0.2,0.3,0.4
 * Settings of the vectors (eval/dict-vec.ts) by environment: DICT_K (dims, 100), DICT_BETA (weight of each character's
 * vector next to the dictionary words', 0.5), DICT_ALPHA (σ exponent, 0.5). Measured, not adopted: eval/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainIntentClassifierDetailed, predictIntent } from '../packages/server/src/modules/nlu/intent-classifier.ts';
import { extractCounts, vectorize, type SparseVec } from '../packages/server/src/modules/nlu/features.ts';
import { normalize } from '../packages/server/src/modules/nlu/text-prep.ts';
import { embed, DICT_DIM as KD } from './dict-vec.ts';
import { mulberry32, trainOvrSvm, decision } from '../packages/server/src/modules/nlu/linear-svm.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';
import { SHARED } from './convert-datasets.ts';

const flags = parseFlags(process.argv.slice(2));
const data = String(flags.data ?? 'smp2019');
const S = Number(flags.seeds ?? 2);
const S0 = Number(flags.seed0 ?? 0);
const gammas = String(flags.gamma ?? '0.3').split(',').map(Number);
const K = 5;

// ---- data and folds (as eval/intent-cv.ts)
type Ex = { text: string; label: string };
const all: Ex[] = (JSON.parse(readFileSync(join(SHARED, 'smp_ecdt_nlu', `${data}.train.json`), 'utf8')) as { text: string; domain: string; intent: string | null }[]).map((r) => ({ text: r.text, label: `${r.domain}.${r.intent}` }));
function folds(seed: number): Int32Array {
  const rand = mulberry32(1000 + seed);
  const byLabel = new Map<string, number[]>();
  all.forEach((e, i) => (byLabel.get(e.label) ?? byLabel.set(e.label, []).get(e.label)!).push(i));
  const out = new Int32Array(all.length);
  let offset = 0;
  for (const [, idx] of [...byLabel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((k, r) => (out[k] = (r + offset) % K));
    offset += idx.length;
  }
  return out;
}

const E = all.map((e) => embed(e.text));
const accs = new Map<string, number[]>();
const push = (k: string, v: number) => (accs.get(k) ?? accs.set(k, []).get(k)!).push(v);
for (let s = S0; s < S0 + S; s++) {
  const fold = folds(s);
  for (let k = 0; k < K; k++) {
    const trI = all.map((_, i) => i).filter((i) => fold[i] !== k);
    const teI = all.map((_, i) => i).filter((i) => fold[i] === k);
    const { model } = trainIntentClassifierDetailed(trI.map((i) => all[i]), { calibrationFolds: 0, seed: 1 + s });
    push('engine', teI.filter((i) => predictIntent(model, all[i].text, 1).label === all[i].label).length / teI.length);
    const v = model.views[0];
    const vocabN = v.vocab.ids.length;
    const sparse = (i: number) => vectorize(extractCounts(normalize(all[i].text), v.cfg.features, true), v.vocab, v.cfg.features);
    const li = new Map(model.labels.map((l, j) => [l, j]));
    const y = Int32Array.from(trI, (i) => li.get(all[i].label)!);
    for (const g of [0, ...gammas]) {
      const vec = (i: number): SparseVec => {
        const x = sparse(i);
        if (!g) return x;
        const idx = new Int32Array(x.idx.length + KD);
        const val = new Float32Array(x.idx.length + KD);
        idx.set(x.idx);
        val.set(x.val);
        for (let d = 0; d < KD; d++) {
          idx[x.idx.length + d] = vocabN + d;
          val[x.idx.length + d] = g * E[i][d];
        }
        return { idx, val };
      };
      const svm = trainOvrSvm(trI.map(vec), y, vocabN + (g ? KD : 0), model.labels.length, { C: 2, eps: 0.1, seed: 1 + s });
      let ok = 0;
      for (const i of teI) {
        const sc = decision(svm, vec(i));
        let b = 0;
        for (let c = 1; c < sc.length; c++) if (sc[c] > sc[b]) b = c;
        if (model.labels[b] === all[i].label) ok++;
      }
      push('g' + g, ok / teI.length);
    }
  }
}
const base = accs.get('g0')!;
for (const [name, a] of accs) {
  const m = a.reduce((x, y) => x + y, 0) / a.length;
  const d = a.map((x, i) => x - base[i]);
  const md = d.reduce((x, y) => x + y, 0) / d.length;
  const se = Math.sqrt(d.reduce((x, y) => x + (y - md) ** 2, 0) / Math.max(1, d.length - 1) / d.length);
  console.log(`${name.padEnd(10)} ${m.toFixed(4)}  vs g0 ${(md * 100).toFixed(2)} ± ${(se * 100).toFixed(2)}`);
}
