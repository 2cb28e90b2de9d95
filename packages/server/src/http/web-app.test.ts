import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify from 'fastify';
import { webAppRoutes } from './web-app.ts';

async function appWith(dist: string) {
  const app = Fastify();
  await app.register(webAppRoutes({ distDir: dist }));
  return app;
}

test('serves the built app: index for client routes, hashed assets cached and pre-compressed, nothing outside dist', async () => {
  const base = mkdtempSync(join(tmpdir(), 'lingxi-web-'));
  const dist = join(base, 'dist');
  try {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    const js = 'console.log("app");'.repeat(100);
    writeFileSync(join(dist, 'assets/index-abc.js'), js);
    writeFileSync(join(dist, 'assets/index-abc.js.br'), brotliCompressSync(js));
    writeFileSync(join(base, 'secret.txt'), 'not for the web');
    const app = await appWith(dist);

    for (const url of ['/workbench', '/workbench/', '/workbench/work-orders/WO-20261124-0001', '/workbench/supervisor?x=1']) {
      const r = await app.inject(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers['content-type'] as string, /text\/html/);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(r.headers['content-security-policy'] as string, /script-src 'self'/);
      assert.match(r.body, /id="root"/);
    }

    const plain = await app.inject('/workbench/assets/index-abc.js');
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, js);
    assert.match(plain.headers['cache-control'] as string, /immutable/);
    assert.match(plain.headers['content-type'] as string, /javascript/);

    const br = await app.inject({ url: '/workbench/assets/index-abc.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(br.rawPayload.length < js.length);

    assert.equal((await app.inject('/workbench/assets/missing-123.js')).statusCode, 404);
    assert.equal((await app.inject('/workbench/..%2Fsecret.txt')).statusCode, 404);
    assert.equal((await app.inject('/workbench/assets/..%2F..%2Fsecret.txt')).statusCode, 404);
    await app.close();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('without a build, /workbench says how to build it', async () => {
  const app = await appWith(join(tmpdir(), 'lingxi-web-does-not-exist'));
  const r = await app.inject('/workbench/');
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /npm run build:web/);
  await app.close();
});
