// Fake core-banking data for the demo bank, generated deterministically from (seed, today): the same inputs always
// give the same customers, cards and transactions, so demos, conversation tests and screenshots are reproducible.
// Nothing here is real: names are drawn from common surnames, card numbers use a 622 BIN with a Luhn check digit,
// resident IDs carry a valid GB 11643-1999 check character so that the platform's PII masking recognises them.

export type CardStatus = 'normal' | 'lost' | 'frozen';

export type Customer = {
  id: string;
  name: string;
  gender: 'male' | 'female';
  mobile: string;
  idNumber: string;
  birthDate: string;
  level: 'standard' | 'gold' | 'private';
};

export type Card = { cardNo: string; customerId: string; kind: 'debit' | 'credit'; status: CardStatus; accountId?: string };

export type Account = {
  id: string;
  customerId: string;
  type: 'debit';
  productName: string;
  cardNo: string;
  currency: 'CNY';
  openedAt: string;
  branch: string;
  balanceCents: number;
  frozenCents: number;
};

export type TxType = 'salary' | 'transfer_in' | 'transfer_out' | 'card_spend' | 'utility' | 'credit_card_repayment';

export type Transaction = {
  id: string;
  accountId: string;
  time: string;
  date: string;
  type: TxType;
  amountCents: number; // signed: credit > 0, debit < 0
  balanceAfterCents: number;
  counterparty: string;
  description: string;
};

export type CreditCard = {
  cardNo: string;
  customerId: string;
  productName: string;
  limitCents: number;
  unbilledCents: number;
  bill: {
    periodStart: string;
    periodEnd: string;
    statementDate: string;
    dueDate: string;
    statementBalanceCents: number;
    minimumPaymentCents: number;
    paidCents: number;
    items: { date: string; merchant: string; amountCents: number }[];
  };
};

export type WealthHolding = {
  holdingId: string;
  customerId: string;
  productCode: string;
  productName: string;
  riskLevel: 'R1' | 'R2' | 'R3';
  principalCents: number;
  yieldToDateCents: number;
  annualizedRate: number; // percent, e.g. 2.85
  purchaseDate: string;
  maturityDate: string | null;
};

export type Installment = {
  period: number;
  dueDate: string;
  paymentCents: number;
  principalCents: number;
  interestCents: number;
  remainingPrincipalCents: number;
  status: 'paid' | 'due' | 'upcoming';
};

export type Loan = {
  loanId: string;
  customerId: string;
  type: 'mortgage' | 'consumer';
  typeName: string;
  principalCents: number;
  annualRate: number; // percent
  termMonths: number;
  startDate: string;
  repaymentMethod: 'equal_installment';
  schedule: Installment[];
};

export type CoreData = {
  today: string;
  customers: Customer[];
  accounts: Account[];
  cards: Card[];
  transactions: Transaction[];
  creditCards: CreditCard[];
  wealth: WealthHolding[];
  loans: Loan[];
};

/** mulberry32: a tiny seeded PRNG; quality is plenty for fake data and it is stable across Node versions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Luhn check digit for a string of digits (ISO/IEC 7812-1). */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  let double = true; // the check digit will be appended, so the right-most body digit is doubled
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/** GB 11643-1999 check character (ISO 7064 MOD 11-2) over the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

// ---- calendar helpers on 'YYYY-MM-DD' strings (China has no DST; dates are calendar days in Asia/Shanghai) ----
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const toDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
export const parseDay = (s: string) => new Date(`${s}T00:00:00Z`);
export const addDays = (s: string, n: number) => toDay(new Date(parseDay(s).getTime() + n * 86_400_000));
/** Same day-of-month n months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(s: string, n: number, day?: number): string {
  const d = parseDay(s);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const want = day ?? d.getUTCDate();
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return toDay(new Date(Date.UTC(y, m, Math.min(want, last))));
}
export const daysBetween = (a: string, b: string) => Math.round((parseDay(b).getTime() - parseDay(a).getTime()) / 86_400_000);
/** Today's calendar date in China (UTC+8). */
export const chinaToday = (now = new Date()) => toDay(new Date(now.getTime() + 8 * 3_600_000));

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN_M = ['伟', '强', '磊', '洋', '勇', '军', '杰', '涛', '明', '超', '浩然', '志强', '建国', '子轩', '宇航', '俊杰'];
const GIVEN_F = ['芳', '娜', '敏', '静', '丽', '艳', '婷', '雪', '琳', '欣怡', '梓涵', '思雨', '晓燕', '雅琴', '佳慧', '秀英'];
const REGIONS = [
  { code: '110101', branch: '北京东城支行' },
  { code: '310104', branch: '上海徐汇支行' },
  { code: '440305', branch: '深圳南山支行' },
  { code: '330106', branch: '杭州西湖支行' },
  { code: '510107', branch: '成都武侯支行' },
  { code: '420106', branch: '武汉武昌支行' },
  { code: '320102', branch: '南京玄武支行' },
  { code: '370102', branch: '济南历下支行' },
];
const MOBILE_PREFIXES = ['138', '139', '135', '136', '150', '151', '158', '186', '187', '177', '199', '188', '159', '182', '133', '189'];
const EMPLOYERS = ['上海星辰科技有限公司', '北京云帆信息技术有限公司', '深圳海岳电子股份有限公司', '杭州青禾网络科技有限公司', '成都锦程建设集团有限公司', '武汉长江医药有限公司'];
const MERCHANTS = ['美团外卖', '京东商城', '盒马鲜生', '星巴克', '滴滴出行', '沃尔玛', '永辉超市', '淘宝', '瑞幸咖啡', '中国石化加油站', '海底捞', '携程旅行', '屈臣氏', '优衣库'];
const UTILITIES = [
  { name: '国家电网电费', day: 15, min: 80, max: 450 },
  { name: '中国移动话费', day: 5, min: 58, max: 199 },
  { name: '自来水公司水费', day: 18, min: 30, max: 120 },
  { name: '燃气公司燃气费', day: 20, min: 40, max: 260 },
];
const WEALTH_PRODUCTS = [
  { code: 'LX-TTB', name: '灵犀天天宝（货币基金）', risk: 'R1', rate: [1.6, 2.0], days: null },
  { code: 'LX-YYY', name: '灵犀月月盈30天持有期理财', risk: 'R2', rate: [2.3, 2.8], days: 30 },
  { code: 'LX-WX90', name: '灵犀稳享90天定开理财', risk: 'R2', rate: [2.6, 3.2], days: 90 },
  { code: 'LX-ZL1', name: '灵犀稳健增利1号一年期理财', risk: 'R2', rate: [3.0, 3.6], days: 365 },
  { code: 'LX-ZQ', name: '灵犀添利债券型基金', risk: 'R3', rate: [3.2, 4.2], days: null },
] as const;

export type GenerateOptions = { seed?: number; today?: string; customers?: number };

/**
 * The documented demo customers, with fixed mobiles (what a demo verifies its identity with); every other customer is
 * generated and never gets one of these numbers.
 * - C0001, 13800138000: every product: one debit card (with salary and six months of transactions), a credit card
 *   with an unpaid bill, three wealth holdings, a mortgage and a consumer loan.
 * - C0002, 13900139000: two debit cards and nothing else (no credit card, wealth or loan): the "which card?" question
 *   and the "nothing to show" answers.
 */
export const DEMO_CUSTOMERS = [
  { id: 'C0001', mobile: '13800138000', profile: 'every product' },
  { id: 'C0002', mobile: '13900139000', profile: 'two debit cards, no credit card, wealth or loan' },
] as const;

/** The whole fake bank (see DEMO_CUSTOMERS for the two customers whose products are fixed). */
export function generateCoreData(opts: GenerateOptions = {}): CoreData {
  const rnd = seededRandom(opts.seed ?? 20240610);
  const today = opts.today ?? chinaToday();
  const count = opts.customers ?? 20;
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');
  const yuan = (min: number, max: number) => int(min * 100, max * 100);

  const data: CoreData = { today, customers: [], accounts: [], cards: [], transactions: [], creditCards: [], wealth: [], loans: [] };
  const usedMobiles = new Set<string>(DEMO_CUSTOMERS.map((c) => c.mobile));
  const usedCards = new Set<string>();
  const cardNumber = (bin: string, len: number) => {
    for (;;) {
      const body = bin + digits(len - bin.length - 1);
      const no = body + luhnCheckDigit(body);
      if (!usedCards.has(no)) {
        usedCards.add(no);
        return no;
      }
    }
  };
  const txStart = addMonths(today, -6);
  let txSeq = 0;

  for (let i = 1; i <= count; i++) {
    const id = `C${pad(i, 4)}`;
    const gender: Customer['gender'] = rnd() < 0.5 ? 'male' : 'female';
    const name = pick(SURNAMES) + pick(gender === 'male' ? GIVEN_M : GIVEN_F);
    let mobile: string;
    do mobile = pick(MOBILE_PREFIXES) + digits(8);
    while (usedMobiles.has(mobile));
    usedMobiles.add(mobile);
    // The demo customers' numbers replace the drawn ones (drawn all the same, keeping the random sequence).
    mobile = DEMO_CUSTOMERS[i - 1]?.mobile ?? mobile;
    const region = pick(REGIONS);
    const birthDate = toDay(new Date(Date.UTC(int(1962, 2001), int(0, 11), int(1, 28))));
    // Sequence digit parity encodes gender in the ID (odd = male).
    const seq = pad(int(0, 49) * 2 + (gender === 'male' ? 1 : 0), 3);
    const first17 = region.code + birthDate.replaceAll('-', '') + seq;
    const customer: Customer = {
      id, name, gender, mobile, idNumber: first17 + idCheckChar(first17), birthDate,
      level: i === 1 ? 'gold' : pick(['standard', 'standard', 'standard', 'gold', 'private'] as const),
    };
    data.customers.push(customer);
    const all = i === 1;
    const basic = i === 2; // two debit cards, nothing else

    // Debit accounts (one or two), each with a card.
    const nAccounts = all ? 1 : basic ? 2 : rnd() < 0.3 ? 2 : 1;
    const salaryCents = yuan(6000, 32000);
    const employer = pick(EMPLOYERS);
    for (let a = 0; a < nAccounts; a++) {
      const accountId = `A${pad(data.accounts.length + 1, 5)}`;
      const cardNo = cardNumber('622' + pick(['588', '609', '848', '700']), 19);
      const status: CardStatus = all || basic ? 'normal' : rnd() < 0.1 ? 'frozen' : rnd() < 0.06 ? 'lost' : 'normal';
      data.cards.push({ cardNo, customerId: id, kind: 'debit', status, accountId });
      const account: Account = {
        id: accountId, customerId: id, type: 'debit', productName: a === 0 ? '灵犀借记卡（金卡）' : '灵犀借记卡', cardNo, currency: 'CNY',
        openedAt: addDays(today, -int(400, 3600)), branch: region.branch, balanceCents: 0, frozenCents: a === 0 && rnd() < 0.15 ? yuan(500, 5000) : 0,
      };
      data.accounts.push(account);

      // Six months of transactions: salary (primary account only) on the 10th, utilities, card spending, transfers.
      type Draft = { date: string; type: TxType; amountCents: number; counterparty: string; description: string };
      const drafts: Draft[] = [];
      for (let m = -6; m <= 0; m++) {
        const monthAnchor = addMonths(today, m, 1);
        const inWindow = (d: string) => d > txStart && d <= today;
        if (a === 0) {
          const payday = addMonths(monthAnchor, 0, 10);
          if (inWindow(payday)) drafts.push({ date: payday, type: 'salary', amountCents: salaryCents + int(-20000, 20000), counterparty: employer, description: '工资' });
          for (const u of UTILITIES) {
            const d = addMonths(monthAnchor, 0, u.day);
            if (inWindow(d) && (u.day !== 18 || rnd() < 0.5)) drafts.push({ date: d, type: 'utility', amountCents: -yuan(u.min, u.max), counterparty: u.name.slice(0, -2), description: u.name });
          }
        }
        const nSpend = a === 0 ? int(8, 15) : int(1, 4);
        for (let k = 0; k < nSpend; k++) {
          const d = addMonths(monthAnchor, 0, int(1, 28));
          const merchant = pick(MERCHANTS);
          if (inWindow(d)) drafts.push({ date: d, type: 'card_spend', amountCents: -yuan(12, 800), counterparty: merchant, description: `消费 ${merchant}` });
        }
        const nTransfers = int(0, 3);
        for (let k = 0; k < nTransfers; k++) {
          const d = addMonths(monthAnchor, 0, int(1, 28));
          const other = pick(SURNAMES) + pick(rnd() < 0.5 ? GIVEN_M : GIVEN_F);
          if (!inWindow(d)) continue;
          if (rnd() < 0.55) drafts.push({ date: d, type: 'transfer_out', amountCents: -yuan(100, 5000), counterparty: other, description: `转账给${other}` });
          else drafts.push({ date: d, type: 'transfer_in', amountCents: yuan(100, 5000), counterparty: other, description: `${other}转入` });
        }
      }
      const timed = drafts
        .map((d) => ({ ...d, time: `${d.date}T${pad(d.type === 'salary' ? 9 : int(7, 22))}:${pad(int(0, 59))}:${pad(int(0, 59))}+08:00` }))
        .sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
      // Opening balance large enough that the running balance never goes negative.
      let balance = Math.round(yuan(3000, 150000) + timed.filter((d) => d.amountCents < 0).reduce((s, d) => s - d.amountCents, 0) / 2);
      let minSeen = balance;
      const txs: Transaction[] = timed.map((d) => {
        balance += d.amountCents;
        minSeen = Math.min(minSeen, balance);
        return { id: `T${pad(++txSeq, 7)}`, accountId, ...d, balanceAfterCents: balance };
      });
      if (minSeen < 0) for (const t of txs) t.balanceAfterCents -= minSeen;
      account.balanceCents = txs.length ? txs[txs.length - 1].balanceAfterCents : yuan(1000, 50000);
      data.transactions.push(...txs);
    }

    // Credit card: bill for last calendar month, statement on its last day, due 20 days later, minimum 10%.
    if (all || (!basic && rnd() < 0.6)) {
      const cardNo = cardNumber('622' + pick(['575', '576', '578']), 16);
      data.cards.push({ cardNo, customerId: id, kind: 'credit', status: all ? 'normal' : rnd() < 0.05 ? 'frozen' : 'normal' });
      const periodStart = addMonths(today, -1, 1);
      const periodEnd = addDays(addMonths(today, 0, 1), -1);
      const items = Array.from({ length: int(4, 12) }, () => {
        const merchant = pick(MERCHANTS);
        return { date: addMonths(periodStart, 0, int(1, 28)), merchant, amountCents: yuan(20, 3000) };
      }).sort((x, y) => (x.date < y.date ? -1 : 1));
      const statementBalanceCents = items.reduce((s, x) => s + x.amountCents, 0);
      const dueDate = addDays(periodEnd, 20);
      const paidCents = !all && dueDate < today && rnd() < 0.7 ? statementBalanceCents : 0;
      data.creditCards.push({
        cardNo, customerId: id, productName: pick(['灵犀白金信用卡', '灵犀金卡信用卡', '灵犀联名信用卡']),
        limitCents: int(2, 10) * 1_000_000, unbilledCents: yuan(0, 2000),
        bill: {
          periodStart, periodEnd, statementDate: periodEnd, dueDate, statementBalanceCents,
          minimumPaymentCents: Math.round(statementBalanceCents * 0.1), paidCents, items,
        },
      });
    }

    // Wealth holdings.
    const nWealth = all ? 3 : basic ? 0 : rnd() < 0.55 ? int(1, 3) : 0;
    const products = [...WEALTH_PRODUCTS];
    for (let w = 0; w < nWealth; w++) {
      const p = products.splice(Math.floor(rnd() * products.length), 1)[0];
      const rate = Math.round((p.rate[0] + rnd() * (p.rate[1] - p.rate[0])) * 100) / 100;
      const principalCents = int(1, 50) * 1_000_000;
      const purchaseDate = addDays(today, -int(20, p.days ?? 360));
      const held = daysBetween(purchaseDate, today);
      data.wealth.push({
        holdingId: `W${pad(data.wealth.length + 1, 5)}`, customerId: id, productCode: p.code, productName: p.name, riskLevel: p.risk,
        principalCents, yieldToDateCents: Math.round((principalCents * rate * held) / 100 / 365), annualizedRate: rate, purchaseDate,
        maturityDate: p.days ? addDays(purchaseDate, p.days) : null,
      });
    }

    // Loans: mortgage and/or consumer loan, equal monthly installments (等额本息).
    if (all || (!basic && rnd() < 0.35)) {
      data.loans.push(makeLoan(`L${pad(data.loans.length + 1, 5)}`, id, 'mortgage', int(80, 300) * 1_000_000, int(310, 420) / 100, pick([240, 300, 360]), addMonths(today, -int(12, 60), int(1, 28)), today));
    }
    if (all || (!basic && rnd() < 0.25)) {
      data.loans.push(makeLoan(`L${pad(data.loans.length + 1, 5)}`, id, 'consumer', int(5, 20) * 1_000_000, int(380, 780) / 100, pick([12, 24, 36]), addMonths(today, -int(1, 10), int(1, 28)), today));
    }
  }
  return data;
}

/** Equal-installment (等额本息) schedule in cents; the last period absorbs rounding so principal sums exactly. */
export function makeLoan(loanId: string, customerId: string, type: Loan['type'], principalCents: number, annualRate: number, termMonths: number, startDate: string, today: string): Loan {
  const r = annualRate / 100 / 12;
  const payment = Math.round((principalCents * r * (1 + r) ** termMonths) / ((1 + r) ** termMonths - 1));
  const schedule: Installment[] = [];
  let remaining = principalCents;
  let nextFound = false;
  for (let k = 1; k <= termMonths; k++) {
    const interest = Math.round(remaining * r);
    const principal = k === termMonths ? remaining : payment - interest;
    remaining -= principal;
    const dueDate = addMonths(startDate, k);
    let status: Installment['status'] = 'upcoming';
    if (dueDate < today) status = 'paid';
    else if (!nextFound) {
      status = 'due';
      nextFound = true;
    }
    schedule.push({ period: k, dueDate, paymentCents: principal + interest, principalCents: principal, interestCents: interest, remainingPrincipalCents: remaining, status });
  }
  return { loanId, customerId, type, typeName: type === 'mortgage' ? '个人住房贷款' : '个人消费贷款', principalCents, annualRate, termMonths, startDate, repaymentMethod: 'equal_installment', schedule };
}
