import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAttachment, cleanFilename, contentDisposition, MAX_ATTACHMENT_BYTES, UPLOAD_BODY_LIMIT } from './attachments.ts';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('attachment policy', () => {
  test('allowed types pass when their bytes match; the type is normalized', () => {
    assert.deepEqual(checkAttachment('Image/PNG; charset=binary', png), { ok: true, contentType: 'image/png' });
    assert.deepEqual(checkAttachment('application/pdf', Buffer.from('%PDF-1.7\n')), { ok: true, contentType: 'application/pdf' });
    assert.deepEqual(checkAttachment('text/plain', Buffer.from('客户说明')), { ok: true, contentType: 'text/plain' });
  });

  test('HTML, SVG and unknown types are refused; so is a page of HTML labelled as an image', () => {
    for (const t of ['text/html', 'image/svg+xml', 'application/javascript', 'application/octet-stream', '']) {
      const r = checkAttachment(t, Buffer.from('<html><script>alert(1)</script></html>'));
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, 'type', t);
    }
    const disguised = checkAttachment('image/png', Buffer.from('<html><script>alert(1)</script></html>'));
    assert.deepEqual(disguised, { ok: false, code: 'signature', message: "the file's content is not image/png" });
  });

  test('size: empty and over the limit are refused; the limit itself is accepted; the body limit fits its base64', () => {
    assert.equal(checkAttachment('text/plain', Buffer.alloc(0)).ok, false);
    assert.equal(checkAttachment('text/plain', Buffer.alloc(MAX_ATTACHMENT_BYTES, 0x61)).ok, true);
    const big = checkAttachment('text/plain', Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x61));
    assert.equal(!big.ok && big.code, 'size');
    assert.ok(UPLOAD_BODY_LIMIT > Buffer.alloc(MAX_ATTACHMENT_BYTES + 1).toString('base64').length + 200);
  });

  test('file names lose folders and control characters; the download header carries the UTF-8 name', () => {
    assert.equal(cleanFilename('C:\\Users\\x\\..\\投诉\n材料.pdf'), '投诉材料.pdf');
    assert.equal(cleanFilename('../../etc/passwd'), 'passwd');
    assert.equal(cleanFilename('...'), 'attachment');
    assert.equal(contentDisposition('投诉 "材料".pdf'), `attachment; filename="__ ____.pdf"; filename*=UTF-8''%E6%8A%95%E8%AF%89%20%22%E6%9D%90%E6%96%99%22.pdf`);
  });
});
