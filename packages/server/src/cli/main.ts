/**
 * `lingxi` command line. Each command lives in its own file and exports `run(argv): Promise<void>`.
 *   lingxi eval faq    --kb <kb.csv|kb.xlsx> --queries <queries.csv>
 *   lingxi eval intent --train <csv> --test <csv> [--oos-label L] [--seed N]
 *   lingxi eval match  --train <csv> --test <csv>
 */
const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  'eval faq': () => import('./eval-faq.ts'),
  'eval intent': () => import('./eval-intent.ts'),
  'eval match': () => import('./eval-match.ts'),
};

export async function main(argv: string[]): Promise<void> {
  const key = argv.slice(0, 2).join(' ');
  const load = commands[key];
  if (!load) {
    process.stderr.write(`usage: lingxi <command>\ncommands:\n${Object.keys(commands).map((c) => `  ${c}`).join('\n')}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const mod = await load();
    await mod.run(argv.slice(2));
  } catch (err) {
    process.stderr.write(`lingxi ${key}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** Parses `--name value` pairs; a flag without a value is `true`. */
export function parseFlags(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else { out[a.slice(2)] = next; i++; }
  }
  return out;
}
