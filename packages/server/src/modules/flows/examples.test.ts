import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FlowDefinition } from '@lingxi/contracts';
import type { FlowContext } from './interpreter.ts';
import { replayMatches, runStory, Story } from './story.ts';
import { validateFlow } from './validate.ts';

const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`./examples/${name}`, import.meta.url), 'utf8'));
const CONNECTORS = { core: ['reportLoss', 'listTransactions', 'balance'] };
const ctx: FlowContext = { now: new Date('2025-03-15T04:00:00Z'), lang: 'zh', sessionSlots: {} };

for (const name of ['card-loss', 'transaction-history']) {
  const raw = load(`${name}.json`);
  test(`${name}: the shipped flow validates cleanly`, () => {
    assert.deepEqual(validateFlow(raw, { connectors: CONNECTORS }), []);
  });
  const def = FlowDefinition.parse(raw);
  const stories = (load(`${name}.stories.json`) as unknown[]).map((s) => Story.parse(s));
  test(`${name}: ships at least 4 stories`, () => assert.ok(stories.length >= 4));
  for (const story of stories) {
    test(`${name} story: ${story.name}`, () => {
      const r = runStory(def, story, ctx);
      assert.equal(r.ok, true, r.mismatch && `step ${r.mismatch.step}: ${r.mismatch.message}\n${r.transcript.map((x) => `  [${x.type}] ${x.text}`).join('\n')}`);
      assert.ok(replayMatches(def, r), 'state replayed from the events equals the live state');
    });
  }
}
