import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreSentiment } from './sentiment.ts';

const check = (text: string, sentiment: string, angry: boolean) => {
  const r = scoreSentiment(text);
  assert.equal(r.sentiment, sentiment, `${text}: ${JSON.stringify(r)}`);
  assert.equal(r.angry, angry, `${text} angry: ${JSON.stringify(r)}`);
};

test('ordinary questions are neutral and calm', () => {
  for (const t of ['我想查一下信用卡账单', '转账限额是多少', '好的', '信用卡丢了怎么挂失', '不好意思，再问一下', 'How do I reset my online banking password?', 'What is the annual fee?', '我的卡号是 6222 0212 3456 7894', '我要还3150元', 'ATM 取款限额']) {
    check(t, 'neutral', false);
  }
});

test('thanks and praise are positive, in Chinese and English', () => {
  for (const t of ['太好了，谢谢你！', '非常满意，服务很专业', '问题解决了，谢谢', '不错不错', '没问题', 'Great, thanks a lot!', 'Perfect, that was really helpful']) {
    check(t, 'positive', false);
  }
  assert.ok(scoreSentiment('非常满意').score > scoreSentiment('满意').score, 'an intensifier strengthens');
});

test('complaints without anger are negative but not flagged', () => {
  for (const t of ['太慢了', '等了半天还没解决', '不满意', '不是很满意', '这个流程好麻烦', 'I am not happy with this', 'the app is so slow']) {
    check(t, 'negative', false);
  }
});

test('anger, insults, complaints and regulators raise the angry flag', () => {
  for (const t of ['我要投诉你们！', '什么破银行', '骗子！', '你们是骗子吧', '我很生气', '气死我了，一直没人理', '我要打12378', '太慢了!!!', '快点！！！', 'This is ridiculous', 'I want to file a complaint', 'THIS IS UNACCEPTABLE', 'you are incompetent']) {
    check(t, 'negative', true);
  }
  assert.ok(scoreSentiment('什么破银行').score < scoreSentiment('破银行').score, 'contempt (什么…) adds weight');
});

test('a negator flips what follows, within its clause only', () => {
  check('我不生气，就是问问', 'neutral', false);
  check("I'm not angry, just asking", 'neutral', false);
  check('not bad', 'neutral', false);
  check('还没解决', 'negative', false);
  check('不，我很满意', 'positive', false);
  // A positive message with exclamation marks is enthusiasm, not anger.
  check('太好了！！！谢谢', 'positive', false);
});
