export type AccountType =
  | 'debit_card'
  | 'credit_card'
  | 'current'
  | 'fixed_deposit'
  | 'wealth'
  | 'loan'
  | 'social_security_card'
  | 'provident_fund';

// Surface words (folded: simplified, lower case) → account type. Longest match wins, so 信用卡 is not read as 卡 and
// 大额存单 not as 存单 + something else.
export const ACCOUNT_WORDS: Readonly<Record<string, AccountType>> = {
  借记卡: 'debit_card', 储蓄卡: 'debit_card', 银行卡: 'debit_card', 工资卡: 'debit_card', 一卡通: 'debit_card',
  'debit card': 'debit_card', 'bank card': 'debit_card', 'atm card': 'debit_card',
  信用卡: 'credit_card', 贷记卡: 'credit_card', 准贷记卡: 'credit_card', 'credit card': 'credit_card',
  活期: 'current', 活期存款: 'current', 活期账户: 'current', 活期储蓄: 'current', 'current account': 'current',
  'checking account': 'current', 'savings account': 'current',
  定期: 'fixed_deposit', 定期存款: 'fixed_deposit', 存单: 'fixed_deposit', 大额存单: 'fixed_deposit', 整存整取: 'fixed_deposit',
  零存整取: 'fixed_deposit', 'fixed deposit': 'fixed_deposit', 'time deposit': 'fixed_deposit', 'certificate of deposit': 'fixed_deposit',
  理财: 'wealth', 理财产品: 'wealth', 基金: 'wealth', 'wealth management': 'wealth', 'investment product': 'wealth',
  贷款: 'loan', 房贷: 'loan', 车贷: 'loan', 消费贷: 'loan', 经营贷: 'loan', 信用贷: 'loan', 按揭: 'loan', 'loan': 'loan',
  'mortgage': 'loan', 'car loan': 'loan', 'personal loan': 'loan',
  社保卡: 'social_security_card', 医保卡: 'social_security_card', 'social security card': 'social_security_card',
  公积金: 'provident_fund', 'provident fund': 'provident_fund', 'housing fund': 'provident_fund',
};

export type LexMatch<V> = { start: number; end: number; text: string; value: V };

/** Word list compiled for longest-match scanning; Latin entries must sit on word boundaries. */
export type Lexicon<V> = { byFirst: Map<string, [string, V][]> };

export function compileLexicon<V>(entries: Iterable<[string, V]>): Lexicon<V> {
  const byFirst = new Map<string, [string, V][]>();
  for (const [w, v] of entries) {
    if (!w) continue;
    const list = byFirst.get(w[0]) ?? [];
    list.push([w, v]);
    byFirst.set(w[0], list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b[0].length - a[0].length);
  return { byFirst };
}

const isLatin = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);

export function scanLexicon<V>(f: string, lex: Lexicon<V>): LexMatch<V>[] {
  const out: LexMatch<V>[] = [];
  for (let i = 0; i < f.length; ) {
    const list = lex.byFirst.get(f[i]);
    const hit = list?.find(([w]) => f.startsWith(w, i) && !(isLatin(w[0]) && isLatin(f[i - 1])) && !(isLatin(w[w.length - 1]) && isLatin(f[i + w.length])));
    if (hit) {
      out.push({ start: i, end: i + hit[0].length, text: hit[0], value: hit[1] });
      i += hit[0].length;
    } else i++;
  }
  return out;
}
