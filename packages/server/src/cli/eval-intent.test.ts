import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateIntent, run } from './eval-intent.ts';

const rows = (r: [string, string][]) => 'text,label\n' + r.map(([t, l]) => `"${t}",${l}`).join('\n') + '\n';
const TRAIN: [string, string][] = [
  ['我的卡丢了', 'lost_card'], ['银行卡丢失怎么办', 'lost_card'], ['卡不见了', 'lost_card'], ['挂失银行卡', 'lost_card'],
  ['转账给妈妈', 'transfer'], ['怎么转账', 'transfer'], ['跨行转账手续费', 'transfer'], ['给张三转一千', 'transfer'],
  ['今天天气怎么样', 'oos'], ['讲个笑话', 'oos'], ['附近有什么好吃的', 'oos'],
];
const TEST: [string, string][] = [['银行卡丢了', 'lost_card'], ['帮我转账', 'transfer'], ['明天会下雨吗', 'oos']];

/** Runs `fn` with the training and test CSVs written to a fresh temporary directory, removed afterwards. */
async function withCsvs(testText: string, fn: (train: string, testCsv: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lingxi-eval-intent-'));
  try {
    const train = join(dir, 'train.csv');
    const testCsv = join(dir, 'test.csv');
    writeFileSync(train, rows(TRAIN));
    writeFileSync(testCsv, testText);
    await fn(train, testCsv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('eval intent: a seeded run repeats itself and prints the fields the issue asks for; a seed that is not an integer is a usage error', () =>
  withCsvs(rows(TEST), async (train, testCsv) => {
    const a = await evaluateIntent(train, testCsv, 'oos', 7);
    const b = await evaluateIntent(train, testCsv, 'oos', 7);
    for (const k of ['n', 'accuracy', 'train_s', 'p50_ms', 'p99_ms', 'inscope_accuracy', 'oos_recall'] as const) assert.equal(typeof a[k], 'number', k);
    assert.equal(a.n, 3);
    assert.equal(a.threshold, b.threshold, 'the same seed trains the same model');
    await assert.rejects(run(['--train', train, '--test', testCsv, '--seed', 'x']), /--seed must be an integer/);
  }));

test('eval intent: a row without a label column is a clear error naming the file and row, not a row silently skipped', () =>
  withCsvs(rows(TEST) + 'only text here\n', async (train, testCsv) => {
    await assert.rejects(evaluateIntent(train, testCsv), /test\.csv: row 5 \(the header is row 1; blank lines are not counted\) has one column; expected text,label/);
    writeFileSync(testCsv, '\ufefftext,label\n\n' + rows(TEST).split('\n').slice(1).join('\n'));
    assert.equal((await evaluateIntent(train, testCsv)).n, 3, 'a byte-order mark and blank lines are fine');
  }));
