// The flows Lingxi ships for the demo bank's business robot (issue 4): one `<id>.flow.json` per flow, with its
// conversation tests in `<id>.stories.json`. They call the tenant's connector named `demo-core`.
import { readdirSync, readFileSync } from 'node:fs';
import { FlowDefinition } from '@lingxi/contracts';
import type { FlowContext } from '../interpreter.ts';

const DIR = new URL('./', import.meta.url);

/** File names of the shipped flows, sorted. */
export function shippedFlowFiles(): string[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.flow.json')).sort();
}

/** Every shipped flow, parsed with the contracts schema (defaults applied). Reads the folder at call time. */
export function loadShippedFlows(): FlowDefinition[] {
  return shippedFlowFiles().map((f) => {
    const raw: unknown = JSON.parse(readFileSync(new URL(f, DIR), 'utf8'));
    const parsed = FlowDefinition.safeParse(raw);
    if (!parsed.success) throw new Error(`shipped flow ${f} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  });
}

/** The demo bank's fully equipped customer (C0001 in packages/demo-core): what a verified identity carries in demos. */
export const DEMO_VERIFIED_PHONE = '13800138000';

/**
 * The context the shipped stories are written for: a verified channel identity carries `verifiedPhone`
 * (stories with `context.identityVerified` check the customer lookup's input), and "today" is 2025-03-15.
 */
export function shippedStoryContext(): FlowContext {
  return { now: new Date('2025-03-15T04:00:00Z'), lang: 'zh', sessionSlots: {}, timeZone: 'Asia/Shanghai', identityVars: { verifiedPhone: DEMO_VERIFIED_PHONE } };
}

/** The raw JSON of every shipped flow's stories file, by flow id (for tests and the flow API's dry runs). */
export function loadShippedStories(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.stories.json')).sort()) {
    out[f.slice(0, -'.stories.json'.length)] = JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as unknown[];
  }
  return out;
}
