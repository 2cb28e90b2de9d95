#!/usr/bin/env node
// Builds the embeddable chat widget into ONE minified IIFE file, packages/widget/dist/lingxi-widget.js, which
// the server serves as /widget.js. es2019 keeps it running on the older in-app WebViews bank customers still use.
// Prints the size (raw and gzip) and fails when the bundle outgrows its budget: the widget loads on every page of
// a bank's site, so growth must be a decision, not an accident.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'packages/widget/src/main.ts');
const outfile = join(root, 'packages/widget/dist/lingxi-widget.js');
const BUDGET_BYTES = 30 * 1024;
const watch = process.argv.includes('--watch');
const version = JSON.parse(readFileSync(join(root, 'packages/widget/package.json'), 'utf8')).version;

const options = {
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  legalComments: 'none',
  // ASCII output (Chinese strings become \uXXXX escapes): the bundle is embedded in banks' pages, many still
  // GBK/GB2312-encoded, and a script served without `charset=utf-8` is decoded in the page's encoding — UTF-8
  // bytes would turn every label into mojibake. Costs ~1 KB.
  charset: 'ascii',
  define: { __LINGXI_VERSION__: JSON.stringify(version) },
  banner: { js: `/*! Lingxi widget ${version} */` },
  logLevel: 'warning',
};

mkdirSync(dirname(outfile), { recursive: true });
if (watch) {
  const { context } = await import('esbuild');
  const ctx = await context(options);
  await ctx.watch();
  console.log(`watching ${relative(root, entry)} -> ${relative(root, outfile)}`);
} else {
  await build(options);
  const code = readFileSync(outfile);
  const gz = gzipSync(code, { level: 9 }).length;
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`widget: ${relative(root, outfile)} ${kb(code.length)} (gzip ${kb(gz)}), budget ${kb(BUDGET_BYTES)}`);
  if (code.some((b) => b > 0x7f)) {
    console.error('widget bundle must be pure ASCII (see the charset option above)');
    process.exit(1);
  }
  if (code.length > BUDGET_BYTES) {
    console.error(`widget bundle is over budget by ${kb(code.length - BUDGET_BYTES)}`);
    process.exit(1);
  }
}
