/**
 * The widget's HTML sanitizer in a real browser: only a real HTML parser shows what an attacker's string turns
 * into, so the allow-list walk is tested here rather than with a DOM imitation in Node.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage } from './lib/browser.ts';
import { repoRoot } from './lib/server.ts';

describe('rich answer sanitizer', browserTestOptions(), () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    const out = await build({
      entryPoints: [`${repoRoot}packages/widget/src/sanitize.ts`],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'LingxiSanitize',
      target: 'es2019',
    });
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ content: out.outputFiles[0].text });
  });

  after(async () => {
    await browser?.close();
  });

  /** Sanitizes into the live page (where an event handler would fire) and returns the resulting markup. */
  const clean = (html: string) =>
    page.evaluate((h) => {
      const out = document.getElementById('out')!;
      out.replaceChildren((window as any).LingxiSanitize.sanitizeHtml(h, document));
      return out.innerHTML;
    }, html);

  test('keeps the allowed formatting', async () => {
    assert.equal(
      await clean('<p>第一步：<b>登录</b><strong>手机银行</strong><em>注意</em><br>换行</p><ol><li>一</li></ol><ul><li>二</li></ul>'),
      '<p>第一步：<b>登录</b><strong>手机银行</strong><em>注意</em><br>换行</p><ol><li>一</li></ol><ul><li>二</li></ul>',
    );
  });

  test('links keep only an http(s) href and always open safely in a new tab', async () => {
    assert.equal(
      await clean('<a href="https://bank.example/rates" onclick="x()" style="color:red" target="_self">利率</a>'),
      '<a href="https://bank.example/rates" target="_blank" rel="noopener noreferrer">利率</a>',
    );
    for (const href of ['javascript:alert(1)', ' jav&#x09;ascript:alert(1)', 'data:text/html,x', '/relative', 'vbscript:x']) {
      assert.equal(await clean(`<a href="${href}">点我</a>`), '点我', href);
    }
  });

  test('scripts, event handlers and foreign content never survive, and nothing runs', async () => {
    await page.evaluate(() => ((window as any).__xss = 0));
    const vectors = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=2">',
      '<svg><script>window.__xss=3</script></svg>',
      '<svg onload="window.__xss=4"></svg>',
      '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=5">',
      '<iframe srcdoc="<script>parent.__xss=6</script>"></iframe>',
      '<p style="background:url(javascript:alert(7))" onmouseover="window.__xss=7">x</p>',
      '<noscript><p title="</noscript><img src=x onerror=window.__xss=8>"></noscript>',
      '<template><img src=x onerror="window.__xss=9"></template>',
      '<form action="javascript:alert(10)"><button>提交</button></form>',
      '<details open ontoggle="window.__xss=11">x</details>',
      '<!-- <img src=x onerror="window.__xss=12"> -->',
    ];
    for (const v of vectors) {
      const html = await clean(v);
      assert.doesNotMatch(html, /<(script|img|svg|math|iframe|style|form|button|template|details)|\son\w+=|javascript:/i, `${v} -> ${html}`);
    }
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as any).__xss), 0);
  });

  test('unknown tags are unwrapped, keeping their text; comments dropped', async () => {
    assert.equal(await clean('<div><span class="x">年费</span><h1>说明</h1><table><tr><td>10元</td></tr></table></div><!--c-->'), '年费说明10元');
  });

  test('absurdly deep nesting is flattened instead of blowing the stack', async () => {
    const deep = '<b>'.repeat(5000) + '深' + '</b>'.repeat(5000);
    const html = await clean(deep);
    assert.match(html, /深/);
    assert.ok((html.match(/<b>/g) ?? []).length <= 32);
  });
});
