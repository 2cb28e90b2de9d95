/**
 * Context inheritance for FAQ follow-ups. Customers leave out what has not changed: after "借记卡年费多少" they write
 * "那信用卡呢", after "转账手续费多少" they write "那跨行的呢", after "what is the annual fee for a debit card" they
 * write "what about credit cards?". resolveFollowUp() recognises such elliptical turns by their form and rebuilds the
 * full question from the last answered one, so the FAQ matcher sees "信用卡年费多少" instead of "那信用卡呢".
 *
 * Pure: no I/O, no model. Two steps:
 *  1. Form. Only short elliptical turns qualify (那X呢, X呢, 那X的呢, X的话呢, 换成X呢, 如果是X呢, X也是吗, X也一样吗;
 *     "what/how about X", "and (for) X", "X then/too", "same for X", "what if it's X"). Bare "X呢" / "X then" need X to
 *     be a known term; the explicit markers (那, 换成, 如果, 也…吗, what about, and …) also admit a short unknown X.
 *     A full question ("信用卡年费多少") never qualifies.
 *  2. Resolution. The previous question (then the answered entry's question) is scanned for terms; the first term of
 *     the same kind as X (借记卡 ↔ 信用卡, 手机银行 ↔ 柜台, 跨行 ↔ 境外, 定期 ↔ 活期, 上个月 ↔ 本月…) is replaced by X
 *     ('substitute'). Failing that, a "subject" term (card, product, digital service) may stand in for another subject
 *     (信用卡逾期了怎么办 → 那房贷呢). Otherwise X is a modifier and is inserted in front of the key noun/action of the
 *     previous question ('append': 转账手续费多少 + 跨行 → 跨行转账手续费多少).
 * Kinds come from a built-in lexicon (below) plus the caller's groups (`opts.terms`, e.g. the bot's synonym sets): each
 * group is a set of interchangeable words; a group sharing a word with a built-in group joins that group's kind.
 */
import { normalize, stemEnglish } from '../text/index.ts';

export type FollowUp = { text: string; kind: 'substitute' | 'append' };
export type FollowUpOptions = { terms?: string[][] };
type Previous = { question: string; entryQuestion?: string };

// ---------------------------------------------------------------------------------------------------------------
// Lexicon

type Group = { kind: string; subject: boolean | readonly string[]; terms: readonly string[] };

/**
 * Interchangeable banking terms by kind. `subject`: the kind's terms can be the topic of a question (a card, a
 * product, a digital service), so one may stand in for a term of another subject kind when no term of its own kind
 * is there; a list names the subject terms of an otherwise non-subject kind.
 */
const BUILTIN: readonly Group[] = [
  {
    kind: 'card',
    subject: true,
    terms: [
      '借记卡', '储蓄卡', '信用卡', '贷记卡', '准贷记卡', '社保卡', '社会保障卡', '医保卡', '电子社保卡', '银行卡', '工资卡',
      '白金卡', '钻石卡', '联名卡', '附属卡', '副卡', '主卡', '公务卡', '双币卡', '外币卡', '虚拟卡', '电子卡', '借记卡账户',
      '信用卡账户', '存折', '存单', 'u盾',
      'debit card', 'credit card', 'bank card', 'savings card', 'atm card', 'social security card', 'platinum card',
      'gold card', 'supplementary card', 'virtual card', 'prepaid card', 'payroll card', 'salary card', 'passbook',
      'usb key', 'u-shield',
    ],
  },
  {
    kind: 'channel',
    subject: [
      '手机银行', '网上银行', '网银', '个人网银', '企业网银', '电话银行', '微信银行', '掌上银行', '手机app', 'app',
      'mobile banking', 'online banking', 'internet banking', 'phone banking', 'mobile app', 'app',
    ],
    terms: [
      '手机银行', '网上银行', '网银', '个人网银', '企业网银', '电话银行', '微信银行', '掌上银行', '手机app', 'app', '微信',
      '支付宝', '云闪付', '柜台', '柜面', '网点', '营业厅', '营业网点', '支行', 'atm', 'atm机', '自助机', '取款机', '提款机',
      '柜员机', '自助终端', '智能柜台', '自助银行',
      'mobile banking', 'online banking', 'internet banking', 'phone banking', 'mobile app', 'app', 'website', 'wechat',
      'alipay', 'branch', 'counter', 'atm', 'cash machine', 'hotline',
    ],
  },
  {
    kind: 'scope',
    subject: false,
    terms: [
      '跨行', '本行', '同行', '他行', '行内', '境外', '境内', '国外', '海外', '国内', '异地', '本地', '同城', '跨境', '跨省',
      '外地',
      'interbank', 'inter-bank', 'other bank', 'another bank', 'same bank', 'abroad', 'overseas', 'international',
      'domestic', 'cross-border', 'local',
    ],
  },
  {
    kind: 'currency',
    subject: false,
    terms: [
      '人民币', '美元', '美金', '外币', '欧元', '日元', '港币', '港元', '英镑', '澳元', '加元', '韩元', '外汇', '本币',
      'rmb', 'cny', 'yuan', 'usd', 'us dollar', 'dollar', 'euro', 'eur', 'yen', 'jpy', 'hkd', 'hong kong dollar', 'gbp',
      'pound', 'foreign currency',
    ],
  },
  {
    kind: 'period',
    subject: false,
    terms: [
      '今天', '昨天', '本周', '这周', '上周', '本月', '这个月', '上个月', '上月', '下个月', '本季度', '上季度', '最近三个月',
      '近三个月', '最近半年', '近半年', '最近一年', '近一年', '今年', '去年', '明年',
      'today', 'yesterday', 'this week', 'last week', 'this month', 'last month', 'next month', 'last three months',
      'this year', 'last year', 'next year',
    ],
  },
  {
    kind: 'product',
    subject: true,
    terms: [
      '理财', '理财产品', '基金', '存款', '定期', '定期存款', '活期', '活期存款', '大额存单', '通知存款', '国债', '储蓄国债',
      '保险', '黄金', '贵金属', '零存整取', '整存整取', '房贷', '住房贷款', '公积金贷款', '组合贷', '组合贷款', '车贷',
      '汽车贷款', '消费贷', '消费贷款', '信用贷', '经营贷', '助学贷款', '个人贷款', '贷款',
      'wealth product', 'wealth management product', 'fund', 'deposit', 'fixed deposit', 'time deposit',
      'demand deposit', 'savings', 'certificate of deposit', 'large cd', 'cd', 'treasury bond', 'bond', 'insurance',
      'gold', 'mortgage', 'home loan', 'personal loan', 'car loan', 'auto loan', 'consumer loan', 'business loan',
      'student loan', 'loan',
    ],
  },
  {
    kind: 'account-class',
    subject: true,
    terms: ['一类户', '二类户', '三类户', 'i类户', 'ii类户', 'iii类户', '一类账户', '二类账户', '三类账户', '一类卡', '二类卡', '三类卡', '电子账户'],
  },
];

/** Amounts and durations written with numerals ("5万", "三年", "12期", "6 months") are terms too. */
const NUMERIC: readonly { kind: string; re: RegExp }[] = [
  { kind: 'duration', re: /(?:最近|近)?(?:[0-9]+|[一二两三四五六七八九十半]+)(?:个月|年|天|周|个星期|小时)/g },
  { kind: 'instalments', re: /(?:[0-9]+|[一二两三四五六七八九十]+)期/g },
  { kind: 'amount', re: /(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十百千]+)(?:万|千|百|元|块钱|块)/g },
  { kind: 'duration', re: /(?<![a-z0-9])(?:[0-9]+|one|two|three|six|twelve)[\s-]?(?:months?|years?|days?|weeks?)(?![a-z0-9])/g },
  { kind: 'amount', re: /(?<![a-z0-9])\$?[0-9][0-9,.]*\s?(?:k|yuan|rmb|usd|dollars?)?(?![a-z0-9])/g },
];

/**
 * Where a modifier goes when the previous question has no term of its kind: in front of the first of these actions
 * (and of the terms already modifying it), as in 跨行 + 转账手续费多少 → 跨行转账手续费多少.
 */
const HEADS_ZH = [
  '转账', '转帐', '汇款', '取款', '取现', '提现', '存款', '还款', '消费', '支付', '刷卡', '贷款', '交易', '购汇', '结汇', '开户',
  '销户', '缴费', '充值', '兑换', '取钱', '存钱', '转钱', 'atm',
];
const HEADS_EN = ['transfer', 'withdrawal', 'payment', 'remittance', 'deposit', 'loan', 'purchase', 'exchange', 'account', 'card', 'fee'];

type TermInfo = { key: string; term: string; kinds: Set<string>; subject: boolean; re: RegExp };
type Lexicon = { byKey: Map<string, TermInfo>; list: TermInfo[] };

const LATIN_WORD = /[a-z0-9']+/g;
/** Lookup key: normalized, hyphens as spaces, English words without plural -s. */
function keyOf(s: string): string {
  return normalize(s)
    .replace(/[-\s]+/g, ' ')
    .replace(LATIN_WORD, (w) => stemEnglish(w))
    .trim();
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regex finding the term in normalized text, English words in singular or plural, parts joined by space/hyphen or not. */
function termRegex(key: string): RegExp {
  const parts = key.split(' ').map((part) =>
    part
      .split(/([a-z0-9']+)/)
      .map((seg, i) => (i % 2 === 1 ? (seg.endsWith('y') && seg.length > 3 ? `${esc(seg.slice(0, -1))}(?:y|ies)` : `${esc(seg)}(?:'s|s|es)?`) : esc(seg)))
      .join(''),
  );
  const head = /^[a-z0-9]/.test(key) ? '(?<![a-z0-9])' : '';
  const tail = /[a-z0-9]$/.test(key) ? '(?![a-z0-9])' : '';
  return new RegExp(head + parts.join('[\\s-]?') + tail, 'g');
}

function buildLexicon(extra: string[][] | undefined): Lexicon {
  const byKey = new Map<string, TermInfo>();
  const add = (term: string, kinds: Iterable<string>, subject: boolean) => {
    const key = keyOf(term);
    if (!key) return;
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = { key, term: normalize(term), kinds: new Set(), subject: false, re: termRegex(key) }));
    for (const k of kinds) t.kinds.add(k);
    if (subject) t.subject = true;
  };
  for (const g of BUILTIN) {
    const subj = new Set(Array.isArray(g.subject) ? g.subject.map(keyOf) : []);
    for (const term of g.terms) add(term, [g.kind], g.subject === true || subj.has(keyOf(term)));
  }
  (extra ?? []).forEach((group, i) => {
    const members = group.filter((w) => keyOf(w));
    const keys = [...new Set(members.map(keyOf))];
    if (keys.length === 0) return;
    const kinds = new Set<string>();
    let subject = false;
    for (const k of keys) {
      const t = byKey.get(k);
      if (!t) continue;
      for (const kind of t.kinds) kinds.add(kind);
      subject ||= t.subject;
    }
    if (kinds.size === 0) kinds.add(`group:${i}`);
    for (const w of members) add(w, kinds, subject);
  });
  // Longest first, so a scan prefers 定期存款 to 存款 and "credit card" to "card".
  const list = [...byKey.values()].sort((a, b) => b.key.length - a.key.length);
  return { byKey, list };
}

let baseLexicon: Lexicon | undefined;
const lexiconCache = new WeakMap<string[][], Lexicon>();
function lexiconFor(extra: string[][] | undefined): Lexicon {
  if (!extra?.length) return (baseLexicon ??= buildLexicon(undefined));
  let lex = lexiconCache.get(extra);
  if (!lex) lexiconCache.set(extra, (lex = buildLexicon(extra)));
  return lex;
}

type Found = { start: number; end: number; key: string; term: string; kinds: Set<string>; subject: boolean };

/** Non-overlapping term occurrences in normalized text, leftmost first, longest at a position. */
/** `whole` false: leave out a term spanning all of `text` (to split a compound term into its parts). */
function scan(text: string, lex: Lexicon, whole = true): Found[] {
  const all: Found[] = [];
  for (const t of lex.list) {
    t.re.lastIndex = 0;
    for (const m of text.matchAll(t.re)) all.push({ start: m.index!, end: m.index! + m[0].length, key: t.key, term: t.term, kinds: t.kinds, subject: t.subject });
  }
  for (const n of NUMERIC) {
    n.re.lastIndex = 0;
    for (const m of text.matchAll(n.re)) {
      const s = m[0].trim();
      if (!s || !/[0-9一二两三四五六七八九十半百千]|one|two|three|six|twelve/.test(s)) continue;
      const start = m.index! + m[0].indexOf(s);
      all.push({ start, end: start + s.length, key: keyOf(s), term: s, kinds: new Set([n.kind]), subject: false });
    }
  }
  all.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const out: Found[] = [];
  let end = 0;
  for (const f of all) if (f.start >= end && (whole || f.start > 0 || f.end < text.length)) { out.push(f); end = f.end; }
  return out;
}

/** X as one term (exactly), or undefined. */
function exactTerm(x: string, lex: Lexicon): Found | undefined {
  const t = lex.byKey.get(keyOf(x));
  if (t) return { start: 0, end: x.length, key: t.key, term: t.term, kinds: t.kinds, subject: t.subject };
  const f = scan(x, lex);
  return f.length === 1 && f[0].start === 0 && f[0].end === x.length ? f[0] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Form: is the turn an elliptical follow-up, and what is X?

/** x: what the follow-up is about; phrase: x with its preposition ("at the branch"); strong: explicitly marked. */
type Parsed = { x: string; phrase?: string; strong: boolean };

const ZH_TRAIL = /[\s\p{P}\p{S}]+$/u;
const ZH_PARTICLE = /[啊呀哈啦嘛哦噢]+$/;
const ZH_QUESTION = /怎|咋|多少|什么|啥|哪|几|吗|为什么|为何|如何|能否|是否|可以|可不|能不能|要不要|有没有|会不会|是不是|多久|多长|谁/;
const ZH_NOT_SUBJECT = /[我你您他她它这那吧了就都还呢嗯哦]|其他|其它|别的|另外|然后|之后|以后|后来|接下来|好的|谢|不用|没有|不是|一样|怎样/;
/** Strongly marked: the marker itself says "same question, but X". */
const ZH_LEAD = /^(?:那么?)?(?:如果是?|要是|假如是?|若是|换成|换做|换作|改成|改为|比如)?/;
const ZH_ALSO = /^(?:那么?)?(.+?)(?:也(?:是|一样|是一样|是这样|这样|可以|能|行|要|收|收费|有|适用|算))的?吗$/;

function parseZh(raw: string): Parsed | undefined {
  let s = raw.replace(ZH_TRAIL, '').replace(ZH_PARTICLE, '').replace(ZH_TRAIL, '');
  if (!s || s.length > 16) return undefined;
  const also = ZH_ALSO.exec(s);
  if (also) return { x: also[1], strong: true };
  const lead = ZH_LEAD.exec(s)![0];
  s = s.slice(lead.length);
  const tail = /(?:的话)?的?(?:呢|怎么样|咋样|如何)$/.exec(s)?.[0] ?? /(?:的话)?的?$/.exec(s)![0];
  const asks = /(?:呢|怎么样|咋样|如何)$/.test(tail);
  const hypothetical = /如果|要是|假如|若是|换成|换做|换作|改成|改为|比如/.test(lead) || tail.includes('的话');
  // X呢 is the plain form; 怎么样 / 如何 and a bare "那X" need an explicit lead.
  if (!asks && !lead) return undefined;
  if (!tail.endsWith('呢') && !lead) return undefined;
  const strong = hypothetical || (asks && lead.length > 0);
  let x = s.slice(0, s.length - tail.length);
  x = x.replace(/^(?:我的|用|在|是|通过|走)(?=..)/, '').replace(/(?<=..)(?:上面|里面|上|里|那边)$/, '');
  if (!x) return undefined;
  return { x, strong };
}

const EN_PATTERNS: readonly { re: RegExp; strong: boolean }[] = [
  { re: /^(?:and |so |ok |okay |hmm |but )?(?:what|how) about (.+)$/, strong: true },
  { re: /^(?:and |so |but )?what if (?:it's |it is |it was |i use |i used |i have |i'm using |i am using |we use |i pay |i do it )?(.+)$/, strong: true },
  { re: /^(?:and |but )?(?:is it |is that |it's )?(?:the )?same (?:for|with) (.+)$/, strong: true },
  { re: /^(?:and |but )?(?:does|is|would|will) (?:it|that|this) (?:also )?(?:the same|apply|work|true|hold|go) (?:for|to|with) (.+)$/, strong: true },
  { re: /^and (.+)$/, strong: true },
  { re: /^(?:also|for|with|using|via) (.+)$/, strong: false },
  { re: /^(.+?),? (?:then|too|as well|instead|also)$/, strong: false },
];
const EN_LEAD_WORDS = new Set(['for', 'with', 'about', 'on', 'in', 'at', 'via', 'by', 'using', 'through', 'to', 'from', 'a', 'an', 'the', 'my', 'our', 'your', 'their', 'his', 'her', 'this', 'that', 'these', 'those', 'some', 'any', 'paying', "it's", 'its']);
const EN_STOP = new Set(['what', 'how', 'why', 'when', 'where', 'which', 'who', 'whom', 'can', 'could', 'do', 'does', 'did', 'is', 'are', 'was', 'were', 'will', 'would', 'should', 'shall', 'may', 'i', 'me', 'you', 'it', 'we', 'they', 'he', 'she', 'them', 'him', 'us', 'that', 'this', 'not', 'no', 'yes', 'then', 'now', 'so', 'ok', 'okay', 'please', 'thanks', 'thank', 'else', 'more', 'again', 'later', 'other', 'others', 'rest']);

function parseEn(raw: string, lex: Lexicon): Parsed | undefined {
  const s = raw.replace(/[\s?.!…,;:]+$/u, '').replace(/^[\s,]+/, '');
  if (!s || s.split(' ').length > 9) return undefined;
  for (const p of EN_PATTERNS) {
    const m = p.re.exec(s);
    if (!m) continue;
    let x = m[1].replace(/,? (?:then|too|as well|instead|please)$/, '').trim();
    // Drop leading prepositions and determiners, but never inside a known term ("this month").
    for (;;) {
      if (exactTerm(x, lex)) break;
      const w = x.split(' ');
      if (w.length > 1 && EN_LEAD_WORDS.has(w[0])) x = w.slice(1).join(' ');
      else break;
    }
    if (x) return { x, phrase: m[1].replace(/,? (?:then|too|as well|instead|please)$/, '').trim(), strong: p.strong };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution

const shares = (a: Set<string>, b: Set<string>) => [...a].some((k) => b.has(k));

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Position in front of the first head action of `text` and the modifier terms right before it, or -1. */
function headPosition(text: string, found: Found[], lang: 'zh' | 'en'): number {
  let pos = -1;
  if (lang === 'zh') {
    for (const h of HEADS_ZH) {
      const i = text.indexOf(h);
      if (i >= 0 && (pos < 0 || i < pos)) pos = i;
    }
  } else {
    const m = new RegExp(`(?<![a-z0-9])(?:${HEADS_EN.join('|')})(?:s|es)?(?![a-z0-9])`).exec(text);
    if (m) pos = m.index;
  }
  if (pos < 0) return -1;
  // A head inside a term (存款 in 定期存款) starts at that term.
  const inside = found.find((f) => f.start < pos && f.end > pos);
  if (inside) pos = inside.start;
  for (;;) {
    const gap = lang === 'zh' ? 0 : 1;
    const before = found.find((f) => f.end === pos - gap && (gap === 0 || text[pos - 1] === ' '));
    if (!before) break;
    pos = before.start;
  }
  return pos;
}

/** The first head action in `text` (only `only` when given), with its span. */
function headIn(text: string, lang: 'zh' | 'en', only?: string): { head: string; start: number; end: number } | undefined {
  const heads = only ? [only] : lang === 'zh' ? HEADS_ZH : HEADS_EN;
  let best: { head: string; start: number; end: number } | undefined;
  for (const h of heads) {
    const m = lang === 'zh' ? { index: text.indexOf(h), len: h.length } : (() => {
      const r = new RegExp(`(?<![a-z0-9])${h}(?:s|es)?(?![a-z0-9])`).exec(text);
      return r ? { index: r.index, len: r[0].length } : { index: -1, len: 0 };
    })();
    if (m.index >= 0 && (!best || m.index < best.start)) best = { head: h, start: m.index, end: m.index + m.len };
  }
  return best;
}

/** The question `x` stands for, read against `previous`. */
function resolve(x: string, parsed: Parsed, previous: Previous, lang: 'zh' | 'en', lex: Lexicon): FollowUp | null {
  const strong = parsed.strong;
  const question = normalize(previous.question);
  const entryQuestion = previous.entryQuestion ? normalize(previous.entryQuestion) : undefined;
  if (!question && !entryQuestion) return null;
  const exact = exactTerm(x, lex);
  const inX = exact ? [exact] : scan(x, lex);
  const texts = [question, entryQuestion].filter((t): t is string => !!t);
  const scans = texts.map((t) => scan(t, lex));
  // Already about X: nothing was left out.
  if (exact && scans[0].some((f) => f.key === exact.key)) return null;
  if (!exact) {
    const compact = (s: string) => s.replace(/[\s\p{P}]+/gu, '');
    if (texts.some((t) => compact(t).includes(compact(x)))) return null;
    // Bare "X呢" / "X then": only when X is made of known terms.
    if (!strong) {
      const covered = inX.reduce((n, f) => n + compact(x.slice(f.start, f.end)).length, 0);
      if (inX.length === 0 || covered < compact(x).length) return null;
    }
    if (!isPlausibleUnknown(x, lang) && inX.length === 0) return null;
  }
  if (inX.length === 0 && !strong) return null;

  // The terms of X the previous question lacks (the new information), and those it shares (kept as context). A
  // compound term (境外汇款) is also read as its parts (境外 + 汇款).
  const base = scans[0];
  const parts = exact ? scan(x, lex, false) : inX;
  const inBase = (f: Found) => base.some((b) => b.key === f.key);
  const byLength = (a: Found, b: Found) => b.end - b.start - (a.end - a.start);
  const newParts = parts.filter((f) => !inBase(f)).sort(byLength);
  const sharedTerms = inX.filter(inBase);
  // English terms go in as the lexicon writes them ("credit cards" → credit card), so the question stays grammatical.
  const put = lang === 'en' && exact ? exact.term : x;
  const sameKind = (anchor: Found) => (f: Found) => f.key !== anchor.key && shares(f.kinds, anchor.kinds) && !parts.some((g) => g.key === f.key);

  // 1. Every part of X has its counterpart, side by side, in the previous question (境外汇款 for 跨行转账): replace
  //    that whole stretch.
  if (parts.length >= 2 && newParts.length > 0) {
    const used = new Set<Found>();
    const targets: Found[] = [];
    for (const p of parts) {
      const t = base.find((f) => !used.has(f) && (f.key === p.key || sameKind(p)(f)));
      if (!t) break;
      used.add(t);
      targets.push(t);
    }
    if (targets.length === parts.length) {
      targets.sort((a, b) => a.start - b.start);
      const contiguous = targets.every((t, i) => i === 0 || question.slice(targets[i - 1].end, t.start).trim() === '');
      if (contiguous) return { text: tidy(splice(question, targets[0].start, targets[targets.length - 1].end, put)), kind: 'substitute' };
    }
  }
  // 2. A term of X's kind (X itself, else its longest new part) in the question, then in the entry's question;
  //    failing that, one subject (card, product, digital service) for another.
  const anchors = exact && !inBase(exact) ? [exact, ...newParts] : newParts;
  const tiers: ((anchor: Found) => (f: Found) => boolean)[] = [sameKind, (anchor) => (f) => anchor.subject && f.subject && f.key !== anchor.key && !parts.some((g) => g.key === f.key)];
  for (const tier of tiers) {
    for (const anchor of anchors) {
      for (let i = 0; i < texts.length; i++) {
        const target = scans[i].find(tier(anchor));
        if (!target) continue;
        let out = splice(texts[i], target.start, target.end, put);
        // X carried context words of its own (信用卡转账 for 借记卡 in 借记卡转账限额): do not repeat them.
        for (const sh of sharedTerms) {
          const again = scan(out, lex).filter((f) => f.key === sh.key);
          const dup = again.find((f) => f.start < target.start || f.start >= target.start + put.length);
          if (again.length > 1 && dup) out = splice(out, dup.start, dup.end, '');
        }
        return { text: tidy(out), kind: 'substitute' };
      }
    }
  }

  // Nothing of X's kind to replace: X qualifies the previous question.
  if (sharedTerms.length) {
    const sh = sharedTerms[0];
    const at = base.find((f) => f.key === sh.key)!;
    return { text: tidy(splice(question, at.start, at.end, put)), kind: 'append' };
  }
  // X names the previous question's action with a qualifier (跨行转账 after 手机银行转账限额…): qualify that action.
  const head = headIn(x, lang);
  const at = head ? headIn(question, lang, head.head) : undefined;
  if (at) return { text: tidy(splice(question, at.start, at.end, put)), kind: 'append' };
  const pos = headPosition(question, base, lang);
  if (lang === 'en') {
    return { text: tidy(pos >= 0 ? splice(question, pos, pos, `${put} `) : `${question.replace(/[\s?.!]+$/, '')} ${parsed.phrase ?? put}`), kind: 'append' };
  }
  return { text: tidy(splice(question, Math.max(0, pos), Math.max(0, pos), put)), kind: 'append' };
}

function isPlausibleUnknown(x: string, lang: 'zh' | 'en'): boolean {
  if (lang === 'zh') {
    const t = x.replace(/\s+/g, '');
    return t.length >= 2 && t.length <= 6 && !ZH_QUESTION.test(t) && !ZH_NOT_SUBJECT.test(t) && /^[\p{Script=Han}a-z0-9]+$/u.test(t);
  }
  const w = x.split(' ').filter(Boolean);
  return w.length >= 1 && w.length <= 4 && w.every((v) => /^[a-z0-9'-]+$/.test(v) && !EN_STOP.has(v));
}

function tidy(s: string): string {
  return s.replace(/\s{2,}/g, ' ').trim();
}

/**
 * When `text` is an elliptical follow-up ("那信用卡呢", "what about credit cards?") of `previous` (the last answered
 * question), the full question it stands for; otherwise null.
 *  - 'substitute': a term of X's kind in the previous question (or the answered entry's question) was replaced by X.
 *  - 'append': the previous question had nothing of X's kind, so X was put in front of its key noun (跨行转账手续费多少).
 * `opts.terms`: extra groups of interchangeable words (the bot's synonym sets), joining the built-in lexicon.
 */
export function resolveFollowUp(
  text: string,
  previous: { question: string; entryQuestion?: string } | undefined,
  lang: 'zh' | 'en',
  opts: FollowUpOptions = {},
): FollowUp | null {
  if (!previous || !text) return null;
  const lex = lexiconFor(opts.terms);
  const t = normalize(text);
  const parsed = lang === 'zh' ? parseZh(t) : parseEn(t, lex);
  if (!parsed) return null;
  const x = parsed.x.trim();
  if (!x) return null;
  if (lang === 'zh' && ZH_QUESTION.test(x) && !exactTerm(x, lex)) return null;
  if (lang === 'en' && !exactTerm(x, lex) && x.split(' ').some((w) => EN_STOP.has(w))) return null;
  return resolve(x, parsed, previous, lang, lex);
}
