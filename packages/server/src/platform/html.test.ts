import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, htmlToText, safeUrl, sanitizeHtml } from './html.ts';

describe('sanitizeHtml', () => {
  it('keeps the allowed formatting', () => {
    const html = '<h3>挂失</h3><p>请<strong>立即</strong>致电<br>95588</p><ol><li>登录</li><li><em>点击</em>挂失</li></ol>';
    assert.equal(sanitizeHtml(html), html);
  });

  it('removes scripts with their content and event handlers', () => {
    assert.equal(sanitizeHtml('<p onclick="steal()">hi<script>alert(1)</script></p>'), '<p>hi</p>');
    assert.equal(sanitizeHtml('<img src="https://x/a.png" onerror="alert(1)">'), '<img src="https://x/a.png">');
    assert.equal(sanitizeHtml('<style>p{}</style><iframe src="https://evil"></iframe>ok'), 'ok');
    assert.equal(sanitizeHtml('<SCRIPT>alert(1)</SCRIPT>x'), 'x');
    assert.equal(sanitizeHtml('<svg><script>alert(1)</script></svg>y'), 'y');
  });

  it('drops unknown tags but keeps and escapes their text', () => {
    assert.equal(sanitizeHtml('<div><span>a &lt; b</span></div>'), 'a &lt; b');
    assert.equal(sanitizeHtml('1 < 2 & 3 > 2'), '1 &lt; 2 &amp; 3 &gt; 2');
    assert.equal(sanitizeHtml('<!-- <script>alert(1)</script> -->t'), 't');
  });

  it('only allows http(s)/mailto/tel links and http(s) images, whatever the encoding tricks', () => {
    assert.equal(sanitizeHtml('<a href="javascript:alert(1)">x</a>'), '<a rel="noopener noreferrer nofollow" target="_blank">x</a>');
    assert.equal(sanitizeHtml('<a href="jav&#x61;script:alert(1)">x</a>').includes('href'), false);
    assert.equal(sanitizeHtml('<a href="java\tscript:alert(1)">x</a>').includes('href'), false);
    assert.equal(sanitizeHtml('<a href=" JAVASCRIPT:alert(1)">x</a>').includes('href'), false);
    assert.equal(sanitizeHtml('<a href="data:text/html,<script>">x</a>').includes('href'), false);
    assert.equal(sanitizeHtml('<img src="data:image/png;base64,AAAA">'), '');
    assert.equal(sanitizeHtml('<img src="mailto:a@b.c">'), '');
    assert.equal(
      sanitizeHtml('<a href="https://bank.example/fees?a=1&amp;b=2">费用</a>'),
      '<a href="https://bank.example/fees?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">费用</a>',
    );
    assert.match(sanitizeHtml('<a href="tel:95588">电话</a>'), /href="tel:95588"/);
    assert.match(sanitizeHtml('<a href="mailto:help@bank.example">mail</a>'), /href="mailto:help@bank.example"/);
  });

  it('escapes attribute values so they cannot break out', () => {
    const out = sanitizeHtml(`<img src="https://x/a.png" alt='"><script>alert(1)</script>'>`);
    assert.equal(out, '<img src="https://x/a.png" alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">');
  });

  it('balances tags and ignores stray end tags', () => {
    assert.equal(sanitizeHtml('<p><b>bold'), '<p><b>bold</b></p>');
    assert.equal(sanitizeHtml('</p>x</li>'), 'x');
    assert.equal(sanitizeHtml('<ul><li>a<li>b</ul>'), '<ul><li>a<li>b</li></li></ul>');
  });

  it('keeps basic tables with numeric spans only', () => {
    assert.equal(
      sanitizeHtml('<table style="x"><tr><th colspan="2">费用</th><td rowspan="x">1</td></tr></table>'),
      '<table><tr><th colspan="2">费用</th><td>1</td></tr></table>',
    );
  });
});

describe('safeUrl', () => {
  it('refuses relative and protocol-relative URLs', () => {
    assert.equal(safeUrl('/x', 'link'), null);
    assert.equal(safeUrl('//evil.example/x', 'link'), null);
    assert.equal(safeUrl('https://ok.example/x', 'image'), 'https://ok.example/x');
  });
});

describe('decodeEntities / htmlToText', () => {
  it('decodes named and numeric references', () => {
    assert.equal(decodeEntities('&lt;a&gt; &#20013;&#x6587; &amp;&nbsp;'), '<a> 中文 &\u00a0');
  });
  it('turns blocks into lines', () => {
    assert.equal(htmlToText('<p>第一步</p><ol><li>登录</li><li>挂失</li></ol><p>a<br>b</p><script>x</script>'), '第一步\n\n• 登录\n• 挂失\na\nb');
  });
});

describe('sanitizeHtml idempotence', () => {
  it('gives the same result when run on its own output', () => {
    const once = sanitizeHtml('<p>a "b" <a href="https://x.example/?q=1&r=2" target="_self">l</a><img src="https://x/i.png" alt="\'"></p><ul><li>x');
    assert.equal(sanitizeHtml(once), once);
  });
});
