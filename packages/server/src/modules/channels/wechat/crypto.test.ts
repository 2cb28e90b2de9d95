import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt, WechatCryptoError } from './crypto.ts';
import { parseXml } from './xml.ts';

/**
 * Vectors from Tencent's own sample code for message encryption (WXBizMsgCrypt, published with the documentation
 * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 * and https://developer.work.weixin.qq.com/document/path/90968): the Java WXBizMsgCryptTest (fixed random
 * "aaaabbbbccccdddd"), the Python Sample.py (official account inbound), and the WeCom C#/C++ Sample (URL
 * verification and inbound message).
 */
const MP = { token: 'pamtest', key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: 'wxb11529c136998cb6' };

describe('WeChat message crypto (official sample vectors)', () => {
  it('encrypts exactly as the Java sample with its fixed random prefix', () => {
    const key = aesKeyOf(MP.key);
    const random = Buffer.from('aaaabbbbccccdddd');
    assert.equal(wechatEncrypt(key, '我是中文abcd123', MP.appId, random), 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==');
    const xml = '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>';
    const out = wechatEncrypt(key, xml, MP.appId, random);
    assert.equal(out, 'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb');
    assert.equal(wechatDecrypt(key, out, MP.appId).message, xml);
  });

  it('verifies and decrypts the official-account inbound sample (Python Sample.py)', () => {
    const token = 'spamtest';
    const appId = 'wx2c2769f8efd9abc2';
    const timestamp = '1409735669';
    const nonce = '1320562132';
    const msgSignature = '5d197aaffba7e9b25a30732f161a50dee96bd5fa';
    const body = '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>';
    const encrypt = parseXml(body).Encrypt;
    assert.equal(sha1Signature(token, timestamp, nonce, encrypt), msgSignature);
    const { message, receiverId } = wechatDecrypt(aesKeyOf(MP.key), encrypt, appId);
    assert.equal(receiverId, appId);
    assert.equal(message, '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>');
    assert.throws(() => wechatDecrypt(aesKeyOf(MP.key), encrypt, 'wx_another_app'), WechatCryptoError);
  });

  it('verifies the WeCom URL-verification sample and decrypts its echostr with the CorpID', () => {
    const token = 'QDG6eK';
    const corpId = 'wx5823bf96d3bd56c7';
    const key = aesKeyOf('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C');
    const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
    assert.equal(sha1Signature(token, '1409659589', '263014780', echostr), '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
    assert.equal(wechatDecrypt(key, echostr, corpId).message, '1616140317555161061');
  });

  it('verifies and decrypts the WeCom inbound sample (C# Sample)', () => {
    const token = 'QDG6eK';
    const corpId = 'wx5823bf96d3bd56c7';
    const encrypt = 'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
    assert.equal(sha1Signature(token, '1409659813', '1372623149', encrypt), '477715d11cdb4164915debcba66cb864d751f3e6');
    const { message } = wechatDecrypt(aesKeyOf('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C'), encrypt, corpId);
    const f = parseXml(message);
    assert.equal(f.ToUserName, corpId);
    assert.equal(f.MsgType, 'text');
    assert.equal(f.Content, 'hello');
  });

  it('refuses malformed keys and ciphertexts without throwing anything but WechatCryptoError', () => {
    assert.throws(() => aesKeyOf('abcde'), WechatCryptoError);
    const key = aesKeyOf(MP.key);
    assert.throws(() => wechatDecrypt(key, '!!!not-base64!!!'), WechatCryptoError);
    assert.throws(() => wechatDecrypt(key, 'YWJj'), WechatCryptoError);
    // A random-looking 32-byte ciphertext decrypts to garbage: padding or length must fail.
    assert.throws(() => wechatDecrypt(key, Buffer.alloc(32, 7).toString('base64')), WechatCryptoError);
  });

  it('round-trips any message and receiver, including multi-byte text', () => {
    const key = aesKeyOf(MP.key);
    for (const msg of ['', 'a', '借记卡丢了怎么挂失？', 'x'.repeat(1000)]) {
      assert.deepEqual(wechatDecrypt(key, wechatEncrypt(key, msg, 'wxid'), 'wxid'), { message: msg, receiverId: 'wxid' });
    }
  });
});
