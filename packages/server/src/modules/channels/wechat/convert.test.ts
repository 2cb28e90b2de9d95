import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, toXml, XmlError } from './xml.ts';
import { parseWechatMessage, WechatParseError } from './parse.ts';
import { customSendBody, linkify, wechatText } from './render.ts';
import { renderRepliesText } from '../core/render.ts';
import { appClarifyCard, appMarkdown, kfMessage } from '../wecom/render.ts';

describe('WeChat XML and message conversion', () => {
  it('parses the documented text message sample (CDATA, numbers, nested)', () => {
    // Sample of "接收普通消息 / 文本消息" in the official-account documentation.
    const f = parseXml('<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>');
    assert.deepEqual(parseWechatMessage(f), { from: 'fromUser', to: 'toUser', createTime: 1348831860, dedupeKey: 'm:1234567890123456', msgId: '1234567890123456', kind: 'text', text: 'this is a test' });
    assert.equal(parseXml('<xml><A>x &amp; y &lt;z&gt;</A><B><C>1</C></B></xml>').A, 'x & y <z>');
    assert.equal(parseXml('<xml><B><C>1</C></B></xml>')['B.C'], '1');
    assert.equal(parseXml('<xml><A><![CDATA[a &amp; b]]></A></xml>').A, 'a &amp; b', 'CDATA is not entity-decoded');
  });

  it('refuses DOCTYPE/ENTITY, unbalanced and stray content', () => {
    for (const bad of ['<!DOCTYPE x><xml/>', '<xml><A>1</B></xml>', '<xml><A>1</A>', 'hello', '<xml></xml><xml></xml>', '<xml><A><![CDATA[x</A></xml>']) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
  });

  it('writes CDATA safely, even when text contains "]]>"', () => {
    const xml = toXml({ Content: 'a]]>b', CreateTime: 1 });
    assert.equal(parseXml(xml).Content, 'a]]>b');
    assert.equal(parseXml(xml).CreateTime, '1');
  });

  it('normalizes voice with recognition, events and unknown types; dedupes events by sender and time', () => {
    const base = { ToUserName: 'gh', FromUserName: 'o1', CreateTime: '100' };
    assert.equal((parseWechatMessage({ ...base, MsgType: 'voice', Recognition: ' 你好 ', MsgId: '1' }) as { recognition?: string }).recognition, '你好');
    const sub = parseWechatMessage({ ...base, MsgType: 'event', Event: 'subscribe' });
    assert.equal(sub.kind === 'event' && sub.event, 'subscribe');
    assert.equal(sub.dedupeKey, 'e:o1:100:subscribe');
    const click = parseWechatMessage({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: 'hot:faq-1' });
    assert.deepEqual(click.kind === 'event' && [click.event, click.key], ['click', 'hot:faq-1']);
    assert.equal(parseWechatMessage({ ...base, MsgType: 'location' }).kind, 'unsupported');
    // Mini-program JSON pushes carry numbers.
    assert.equal(parseWechatMessage({ ToUserName: 'gh', FromUserName: 'o2', CreateTime: 5, MsgType: 'text', Content: 'hi', MsgId: 77 }).dedupeKey, 'm:77');
    assert.throws(() => parseWechatMessage({ MsgType: 'text' }), WechatParseError);
  });
});

describe('reply rendering for text channels', () => {
  const clarify = { type: 'clarify' as const, text: '您是想问以下哪个问题？', options: [{ n: 1, text: '借记卡挂失', entryId: 'a' }, { n: 2, text: '信用卡挂失', entryId: 'b' }] };
  const answer = { type: 'answer' as const, text: '详见 https://bank.example/lost 。', html: '<p>详见</p>', related: [{ n: 1, text: '补办借记卡', entryId: 'c' }] };

  it('renders options and related questions as numbered menus, dropping html', () => {
    assert.equal(renderRepliesText([clarify]), '您是想问以下哪个问题？\n回复数字选择：\n1. 借记卡挂失\n2. 信用卡挂失');
    const t = renderRepliesText([answer]);
    assert.ok(t.includes('您可能还想了解（回复数字选择）：\n1. 补办借记卡') && !t.includes('<p>'));
  });

  it('makes WeChat menu lines tappable and links bare URLs', () => {
    const t = wechatText([clarify], { clickableMenus: true, linkify: true });
    assert.ok(t.includes('1. <a href="weixin://bizmsgmenu?msgmenucontent=借记卡挂失&msgmenuid=1">借记卡挂失</a>'));
    assert.equal(linkify('见 https://a.cn/x 。'), '见 <a href="https://a.cn/x">https://a.cn/x</a> 。');
    assert.deepEqual(customSendBody('o1', clarify, { clickableMenus: true, linkify: true, menuMessages: true }).msgmenu, {
      head_content: '您是想问以下哪个问题？', list: [{ id: '1', content: '借记卡挂失' }, { id: '2', content: '信用卡挂失' }], tail_content: '点击选择，或回复序号。',
    });
    assert.equal(Buffer.byteLength(wechatText([{ type: 'answer', text: '长'.repeat(2000) }], { clickableMenus: false, linkify: false })) <= 2000, true);
  });

  it('renders WeCom markdown, button cards and customer-service menus', () => {
    assert.match(appMarkdown('u', 1, clarify).markdown.content, /> 回复数字选择：\n1\. 借记卡挂失/);
    const card = appClarifyCard('u', 1, clarify, 'task1').template_card;
    assert.deepEqual(card.button_list.map((b) => b.key), ['choice:1', 'choice:2']);
    assert.ok(card.button_list.every((b) => [...b.text].length <= 10));
    const menu = kfMessage('wm1', 'wk1', 'id1', clarify) as { msgtype: string; msgmenu: { list: unknown[] } };
    assert.equal(menu.msgtype, 'msgmenu');
    assert.deepEqual(menu.msgmenu.list[0], { type: 'click', click: { id: '1', content: '借记卡挂失' } });
  });
});
