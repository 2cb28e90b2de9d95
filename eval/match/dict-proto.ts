/** PROTOTYPE: pair matcher + soft alignment over CC-CEDICT dictionary vectors (eval/dict-vec.ts). */
import { parseFlags } from '../../packages/server/src/cli/main.ts';
import { readPairsFile } from '../../packages/server/src/modules/nlu/match/pair-data.ts';
import { experiment } from '../../packages/server/src/modules/nlu/match/index.ts';
import { analyzePairText } from '../../packages/server/src/modules/nlu/match/pair-text.ts';
import { wordVector, DICT_DIM } from '../dict-vec.ts';
import { crossValidate } from './cv.ts';

const flags = parseFlags(process.argv.slice(2));
const data = readPairsFile(String(flags.data));
const words = new Set<string>();
for (const p of data) for (const s of [p.a, p.b]) for (const w of analyzePairText(s, 'zh').words) words.add(w);
const index = new Map<string, number>();
const vecs: number[] = [];
for (const w of words) {
  const v = wordVector(w);
  if (!v) continue;
  index.set(w, index.size);
  vecs.push(...v);
}
console.error(`dictionary vectors for ${index.size} of ${words.size} words`);
experiment.dict = { dim: DICT_DIM, index, vectors: Float32Array.from(vecs) };
const res = crossValidate(data, { folds: 5, group: !!flags.group, maxFolds: flags['max-folds'] ? Number(flags['max-folds']) : undefined, log: (s) => process.stderr.write(s) });
console.log(JSON.stringify(res));
