/**
 * Converts the shared NLU datasets to the `text,label` CSV layout the eval CLI reads, into eval/.cache/.
 *   npx tsx eval/convert-datasets.ts                     # every split available here (+ the banking77 80/20 split)
 *   npx tsx eval/convert-datasets.ts --clinc <json> --keys test,oos_test --out <csv>   # e.g. a held-out file
 *   npx tsx eval/convert-datasets.ts --smp <json> --out <csv>                          # label = domain.intent
 * SMP labels are `${domain}.${intent}` (intent null → "null", as plain string concatenation gives).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabelledCsv, toCsv, type Example } from '../packages/server/src/modules/nlu/dataset.ts';
import { mulberry32 } from '../packages/server/src/modules/nlu/linear-svm.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(HERE, '.cache');
export const SHARED = process.env.LINGXI_DATASETS ?? join(HERE, '..', '..', 'shared', 'datasets');

export function clincExamples(path: string, keys: string[]): Example[] {
  const d = JSON.parse(readFileSync(path, 'utf8')) as Record<string, [string, string][]>;
  return keys.flatMap((k) => {
    if (!d[k]) throw new Error(`${path}: no key ${k}`);
    return d[k].map(([text, label]) => ({ text, label }));
  });
}

export function smpExamples(path: string): Example[] {
  const d = JSON.parse(readFileSync(path, 'utf8')) as { text: string; domain: string; intent: string | null }[];
  return d.map((r) => ({ text: r.text, label: `${r.domain}.${r.intent}` }));
}

/** A fixed, seeded, per-label stratified 80/20 split of Banking77 train (the test split is held out). */
export function banking77Split(path: string, seed = 77): { train: Example[]; holdout: Example[] } {
  const all = readLabelledCsv(path);
  const rand = mulberry32(seed);
  const byLabel = new Map<string, Example[]>();
  for (const e of all) (byLabel.get(e.label) ?? byLabel.set(e.label, []).get(e.label)!).push(e);
  const train: Example[] = [];
  const holdout: Example[] = [];
  for (const [, list] of [...byLabel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const idx = list.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const cut = Math.round(list.length * 0.2);
    idx.forEach((k, r) => (r < cut ? holdout : train).push(list[k]));
  }
  return { train, holdout };
}

function write(name: string, ex: Example[]): void {
  const p = name.includes('/') ? name : join(CACHE, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, toCsv(ex));
}

export function convertAll(): string[] {
  const done: string[] = [];
  const b77 = join(SHARED, 'banking77', 'train.csv');
  if (existsSync(b77)) {
    const { train, holdout } = banking77Split(b77);
    write('banking77-train80.csv', train);
    write('banking77-holdout20.csv', holdout);
    done.push('banking77-train80.csv', 'banking77-holdout20.csv');
  }
  const clinc = join(SHARED, 'clinc150', 'data_full.trainval.json');
  if (existsSync(clinc)) {
    write('clinc150-train.csv', clincExamples(clinc, ['train', 'oos_train']));
    write('clinc150-val.csv', clincExamples(clinc, ['val', 'oos_val']));
    done.push('clinc150-train.csv', 'clinc150-val.csv');
  }
  for (const y of ['2019', '2020']) {
    for (const split of ['train', 'dev']) {
      const p = join(SHARED, 'smp_ecdt_nlu', `smp${y}.${split}.json`);
      if (existsSync(p)) {
        write(`smp${y}-${split}.csv`, smpExamples(p));
        done.push(`smp${y}-${split}.csv`);
      }
    }
  }
  return done;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = parseFlags(process.argv.slice(2));
  if (typeof f.clinc === 'string' && typeof f.out === 'string') {
    write(f.out, clincExamples(f.clinc, String(f.keys ?? 'test,oos_test').split(',')));
  } else if (typeof f.smp === 'string' && typeof f.out === 'string') {
    write(f.out, smpExamples(f.smp));
  } else {
    const done = convertAll();
    process.stderr.write(`wrote ${done.length} files to ${CACHE}\n`);
  }
}
