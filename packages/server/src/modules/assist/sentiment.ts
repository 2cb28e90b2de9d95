/**
 * Lexicon sentiment for agent assist (坐席辅助): is the customer angry or urgent? A scorer the agent can trust at a
 * glance, not a model: every point comes from a listed word, so a wrong flag is fixed by editing a list.
 *
 * Chinese is scanned character by character with longest match (no segmentation needed for a few hundred terms);
 * English word by word. A negator shortly before a term flips it (不满意, "not happy"), an intensifier multiplies it
 * (太慢了, "very rude"). Anger terms (投诉, 骗子, "scam"…) raise the angry flag on their own; so do a strongly negative
 * message and a run of exclamation marks in a message that is not positive ("快点!!!" is urgent).
 */

export type Sentiment = 'negative' | 'neutral' | 'positive';
export type SentimentResult = { sentiment: Sentiment; angry: boolean; score: number; /** The terms that counted, for tests and tooltips. */ terms: string[] };

/** term → weight; `angry` terms set the flag by themselves. */
type Lex = Record<string, number>;

const ZH_NEG: Lex = {
  慢: -1, 太慢: -2, 好慢: -2, 差: -2, 很差: -2, 烂: -2, 破: -1, 坑: -2, 坑人: -3, 黑心: -3, 恶心: -3, 无语: -2, 失望: -2, 烦: -2, 麻烦: -1,
  不满: -2, 不满意: -2, 不行: -1, 不靠谱: -2, 不合理: -2, 不公平: -2, 乱扣: -3, 乱收费: -3, 扣钱: -1, 盗刷: -2, 被骗: -2, 骗: -2,
  错误: -1, 失败: -1, 故障: -1, 着急: -1, 急: -1, 急死: -3, 等了半天: -2, 半天: -1, 一直: -1, 怎么回事: -1, 搞什么: -2,
  没用: -2, 没人管: -3, 没人理: -3, 敷衍: -3, 推脱: -2, 踢皮球: -3, 态度差: -3, 态度恶劣: -3, 糟糕: -2, 糟透: -3, 离谱: -2, 荒唐: -2,
  投诉: -3, 骗子: -3, 生气: -2, 愤怒: -3, 气死: -3, 气愤: -3, 垃圾: -3, 破银行: -3, 滚: -3, 举报: -3, 曝光: -3, 起诉: -3, 律师: -2,
  报警: -3, 监管: -1, 银保监: -3, 金融监管: -3, 12378: -3, 315: -2, 销户: -1, 再也不: -2, 受够: -3, 忍无可忍: -3, 欺负: -3, 耍: -2,
  他妈: -3, 妈的: -3, 卧槽: -2, 什么玩意: -3, 什么东西: -2, 快点: -1, 赶紧: -1, 赶快: -1,
  // Set phrases that contain a negator or a listed word but are not sentiment.
  不好意思: 0, 不客气: 0, 没关系: 0, 不用了: 0, 好的: 0, 问题: 0, 好像: 0, 好多: 0, 好几: 0, 很多: 0, 快递: 0, 快捷: 0,
};
const ZH_POS: Lex = {
  谢谢: 1, 感谢: 1, 多谢: 1, 满意: 2, 很好: 2, 不错: 2, 挺好: 2, 太好了: 3, 棒: 2, 赞: 2, 厉害: 1, 专业: 1, 耐心: 1, 热情: 1,
  方便: 1, 及时: 1, 解决: 1, 解决了: 2, 明白了: 1, 清楚了: 1, 辛苦: 1, 给力: 2, 靠谱: 1, 没问题: 1, 好评: 2, 喜欢: 2, 开心: 2, 高兴: 2,
};
/** Terms that by themselves mean an angry customer (a complaint, an insult, a regulator). */
const ZH_ANGRY = new Set(['投诉', '骗子', '生气', '愤怒', '气死', '气愤', '垃圾', '破银行', '滚', '举报', '曝光', '起诉', '报警', '银保监', '金融监管', '12378', '受够', '忍无可忍', '坑人', '黑心', '他妈', '妈的', '什么玩意', '态度恶劣', '没人管', '踢皮球']);
const ZH_NEGATORS = ['不是很', '并不', '并没', '没有', '不太', '不怎么', '不', '没', '别', '未', '无'];
const ZH_INTENSIFIERS: Record<string, number> = { 太: 1.5, 很: 1.3, 非常: 1.6, 特别: 1.5, 超: 1.5, 真: 1.3, 真的: 1.3, 好: 1.2, 极其: 1.8, 十分: 1.5, 相当: 1.4, 实在: 1.4, 简直: 1.6, 巨: 1.5, 贼: 1.4 };
/** "什么破银行", "什么鬼": 什么 before a negative term is contempt, not a question. */
const ZH_CONTEMPT = '什么';

const EN_NEG: Lex = {
  slow: -1, bad: -2, terrible: -3, awful: -3, horrible: -3, worst: -3, useless: -2, rude: -2, ridiculous: -3, unacceptable: -3, disappointed: -2,
  disappointing: -2, annoyed: -2, annoying: -2, frustrated: -2, frustrating: -2, angry: -3, furious: -3, mad: -2, upset: -2, hate: -3, sucks: -3,
  complaint: -3, complain: -3, scam: -3, scammed: -3, fraud: -2, stolen: -2, cheated: -3, lied: -2, liar: -3, liars: -3, incompetent: -3, pathetic: -3,
  joke: -1, nonsense: -2, waiting: -1, waited: -1, forever: -1, still: 0, wrong: -1, failed: -1, problem: 0, issue: 0, lawyer: -2, sue: -3, regulator: -2,
  ombudsman: -3, wtf: -3, tmd: -3, damn: -2, hell: -1, stupid: -3, idiot: -3, idiots: -3,
};
const EN_POS: Lex = {
  thanks: 1, thank: 1, great: 2, good: 1, excellent: 3, perfect: 3, helpful: 2, happy: 2, satisfied: 2, awesome: 3, nice: 1, appreciate: 2, love: 2,
  solved: 2, resolved: 2, quick: 1, fast: 1, friendly: 2, wonderful: 3, fine: 1, ok: 0, okay: 0,
};
const EN_ANGRY = new Set(['ridiculous', 'unacceptable', 'angry', 'furious', 'complaint', 'complain', 'scam', 'scammed', 'cheated', 'liar', 'liars', 'incompetent', 'pathetic', 'sue', 'ombudsman', 'wtf', 'tmd', 'stupid', 'idiot', 'idiots', 'hate', 'sucks', 'terrible', 'worst', 'lawyer']);
const EN_NEGATORS = new Set(['not', 'no', "don't", 'dont', "didn't", 'didnt', "isn't", 'isnt', "wasn't", 'wasnt', "aren't", "won't", "can't", 'cannot', 'never', 'hardly', 'without']);
const EN_INTENSIFIERS: Record<string, number> = { very: 1.5, so: 1.4, really: 1.4, extremely: 1.8, totally: 1.5, absolutely: 1.6, too: 1.4, completely: 1.6, super: 1.5, utterly: 1.8 };

/** Longest Chinese/mixed term first, so 不满意 wins over 满意 and 太慢 over 慢. */
const ZH_TERMS = Object.entries({ ...ZH_POS, ...ZH_NEG }).sort((a, b) => b[0].length - a[0].length);
const ZH_MAX = Math.max(...ZH_TERMS.map(([t]) => t.length));
const ZH_LEX = new Map(ZH_TERMS);

/** A negator this close before a term flips it: 不满意 is -2 as a term, but 不开心 and 没解决 are negations. */
const ZH_NEG_WINDOW = 3;
const EN_NEG_WINDOW = 3;
const CLAUSE_BREAK = /[,.;:!?，。；：！？、\n]+/;

/**
 * A negated term: a negated positive is a mild negative of at least one point (没解决, "not happy"; 不满意 has its
 * own entry); a negated negative is neutral, not praise (不生气, "not bad").
 */
const flip = (w: number) => (w > 0 ? -Math.max(1, Math.min(w, 2) * 0.8) : 0);

export function scoreSentiment(raw: string): SentimentResult {
  const text = raw.normalize('NFKC').toLowerCase();
  const terms: string[] = [];
  let score = 0;
  let angryTerm = false;
  const count = (term: string, weight: number, angry: boolean) => {
    score += weight;
    terms.push(weight === 0 ? term : `${term}${weight > 0 ? '+' : ''}${Math.round(weight * 10) / 10}`);
    if (angry && weight < 0) angryTerm = true;
  };

  // Chinese (and digits, e.g. the 12378 regulator hotline): longest match at each position.
  let lastEnd = 0;
  for (let i = 0; i < text.length; ) {
    let hit: string | undefined;
    for (let len = Math.min(ZH_MAX, text.length - i); len >= 1 && !hit; len--) {
      const cand = text.slice(i, i + len);
      // Latin terms are English words (matched below, whole words only); a number term must not be part of a
      // longer number (315 inside an amount or a phone number is not the consumer-rights hotline).
      if (!ZH_LEX.has(cand) || /^[a-z]/.test(cand)) continue;
      if (/^\d+$/.test(cand) && (/\d/.test(text[i - 1] ?? '') || /\d/.test(text[i + len] ?? ''))) continue;
      hit = cand;
    }
    if (!hit) {
      i++;
      continue;
    }
    let w = ZH_LEX.get(hit)!;
    if (w !== 0) {
      // Look back within the clause, and only over text not already part of an earlier term: "不满意" must not
      // negate what follows it, and "不，我很满意" is not a negation of 满意.
      const before = text.slice(Math.max(lastEnd, i - ZH_NEG_WINDOW - 2), i).split(CLAUSE_BREAK).pop()!;
      const intens = Object.keys(ZH_INTENSIFIERS).filter((k) => before.endsWith(k)).sort((a, b) => b.length - a.length)[0];
      const head = intens ? before.slice(0, before.length - intens.length) : before;
      const negated = ZH_NEGATORS.some((n) => head.slice(-ZH_NEG_WINDOW).includes(n));
      if (intens) w *= ZH_INTENSIFIERS[intens];
      if (negated) w = flip(w);
      else if (w < 0 && before.endsWith(ZH_CONTEMPT)) w -= 1;
      count(hit, w, !negated && ZH_ANGRY.has(hit));
    }
    i += hit.length;
    lastEnd = i;
  }

  // English, word by word.
  const clauses = text.split(CLAUSE_BREAK);
  for (const clause of clauses) {
    const words = clause.match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
    for (let i = 0; i < words.length; i++) {
      const wd = words[i];
      let w = EN_NEG[wd] ?? EN_POS[wd];
      if (w === undefined || w === 0) continue;
      const negated = words.slice(Math.max(0, i - EN_NEG_WINDOW), i).some((x) => EN_NEGATORS.has(x));
      const prev = words[i - 1];
      if (prev && EN_INTENSIFIERS[prev]) w *= EN_INTENSIFIERS[prev];
      if (negated) w = flip(w);
      count(wd, w, !negated && EN_ANGRY.has(wd));
    }
  }

  // Shouting: a run of exclamation marks (full or half width) or of question marks adds weight to a complaint,
  // and on its own marks urgency.
  const bangs = /[!！]{3,}|[?？]{3,}|[!！?？]{4,}/.test(text);
  // Three words in capitals in a row ("THIS IS RIDICULOUS"); single acronyms (ATM, VISA) are not shouting.
  const caps = /\b[A-Z]{2,}(?:\s+[A-Z]{2,}){2,}\b/.test(raw.normalize('NFKC'));
  if (bangs || caps) {
    if (score < 0) score *= 1.5;
    else if (score === 0) score -= 1;
    terms.push(bangs ? '!!!' : 'CAPS');
  }
  score = Math.round(score * 10) / 10;
  const sentiment: Sentiment = score <= -1 ? 'negative' : score >= 1 ? 'positive' : 'neutral';
  const angry = sentiment !== 'positive' && (angryTerm || score <= -4 || bangs || caps);
  return { sentiment, angry, score, terms };
}
