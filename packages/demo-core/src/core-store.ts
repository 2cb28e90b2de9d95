import { addDays, daysBetween, type Account, type Card, type CoreData, type Customer } from './data.ts';

/** A refusal the HTTP layer turns into a 4xx with `{error: {code, message, details?}}`. */
export class CoreError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'CoreError';
  }
}

const yuan = (cents: number) => Math.round(cents) / 100;

/** Read models over the generated data, plus the one mutation (card loss report) with request-id idempotency. */
export class CoreStore {
  private customersById = new Map<string, Customer>();
  private customersByPhone = new Map<string, Customer>();
  private accountsById = new Map<string, Account>();
  private cardsByNo = new Map<string, Card>();
  private lossReports = new Map<string, { cardNo: string; result: LossReport }>();
  private caseSeq = 0;

  constructor(readonly data: CoreData, private now: () => Date = () => new Date()) {
    for (const c of data.customers) {
      this.customersById.set(c.id, c);
      this.customersByPhone.set(c.mobile, c);
    }
    for (const a of data.accounts) this.accountsById.set(a.id, a);
    for (const c of data.cards) this.cardsByNo.set(c.cardNo, c);
  }

  customerByPhone(phone: string) {
    const c = this.customersByPhone.get(phone.replace(/^(\+86|0086|86)/, ''));
    if (!c) throw new CoreError(404, 'customer_not_found', 'no customer with this mobile number');
    return c;
  }

  customer(id: string) {
    const c = this.customersById.get(id);
    if (!c) throw new CoreError(404, 'customer_not_found', `customer ${id} not found`);
    return c;
  }

  /** `cardLast4`: only the accounts whose card number ends so (a customer naming one of several cards); none is a 404. */
  accounts(customerId: string, cardLast4?: string) {
    this.customer(customerId);
    const items = this.data.accounts
      .filter((a) => a.customerId === customerId && (cardLast4 === undefined || a.cardNo.endsWith(cardLast4)))
      .map((a) => ({
        id: a.id, type: a.type, productName: a.productName, cardNo: a.cardNo, cardStatus: this.cardsByNo.get(a.cardNo)?.status ?? 'normal',
        currency: a.currency, balance: yuan(a.balanceCents), openedAt: a.openedAt, branch: a.branch,
      }));
    if (cardLast4 !== undefined && items.length === 0) throw new CoreError(404, 'account_not_found', `the customer has no account with a card ending ${cardLast4}`);
    return { customerId, count: items.length, items };
  }

  private account(id: string) {
    const a = this.accountsById.get(id);
    if (!a) throw new CoreError(404, 'account_not_found', `account ${id} not found`);
    return a;
  }

  balance(accountId: string) {
    const a = this.account(accountId);
    return {
      accountId: a.id, currency: a.currency, balance: yuan(a.balanceCents), available: yuan(a.balanceCents - a.frozenCents),
      frozenAmount: yuan(a.frozenCents), asOf: this.now().toISOString(),
    };
  }

  /** `order`: `asc` (default, oldest first) or `desc` (newest first, as statements are usually read). */
  transactions(accountId: string, from?: string, to?: string, order: 'asc' | 'desc' = 'asc') {
    this.account(accountId);
    const end = to ?? this.data.today;
    const start = from ?? addDays(end, -30);
    if (start > end) throw new CoreError(400, 'bad_period', '`from` is after `to`');
    if (daysBetween(start, end) > 366) throw new CoreError(400, 'bad_period', 'the period may span at most 366 days');
    const txs = this.data.transactions.filter((t) => t.accountId === accountId && t.date >= start && t.date <= end);
    if (order === 'desc') txs.reverse();
    const items = txs.map((t) => ({
      id: t.id, time: t.time, type: t.type, amount: yuan(t.amountCents), balanceAfter: yuan(t.balanceAfterCents), counterparty: t.counterparty,
      description: t.description,
    }));
    const totalIn = yuan(txs.filter((t) => t.amountCents > 0).reduce((s, t) => s + t.amountCents, 0));
    const totalOut = yuan(-txs.filter((t) => t.amountCents < 0).reduce((s, t) => s + t.amountCents, 0));
    return { accountId, from: start, to: end, total: items.length, totalIn, totalOut, items };
  }

  creditCardBill(customerId: string) {
    this.customer(customerId);
    const cc = this.data.creditCards.find((c) => c.customerId === customerId);
    if (!cc) throw new CoreError(404, 'no_credit_card', 'the customer has no credit card');
    const b = cc.bill;
    const outstanding = b.statementBalanceCents - b.paidCents;
    return {
      customerId, cardNo: cc.cardNo, productName: cc.productName, cardStatus: this.cardsByNo.get(cc.cardNo)?.status ?? 'normal',
      creditLimit: yuan(cc.limitCents), availableCredit: yuan(cc.limitCents - outstanding - cc.unbilledCents), unbilledAmount: yuan(cc.unbilledCents),
      bill: {
        periodStart: b.periodStart, periodEnd: b.periodEnd, statementDate: b.statementDate, dueDate: b.dueDate,
        statementBalance: yuan(b.statementBalanceCents), minimumPayment: yuan(b.minimumPaymentCents), paidAmount: yuan(b.paidCents),
        outstanding: yuan(outstanding), status: b.paidCents >= b.statementBalanceCents ? 'paid' : b.paidCents > 0 ? 'partially_paid' : 'unpaid',
        items: b.items.map((i) => ({ date: i.date, merchant: i.merchant, amount: yuan(i.amountCents) })),
      },
    };
  }

  wealth(customerId: string) {
    this.customer(customerId);
    const hs = this.data.wealth.filter((w) => w.customerId === customerId);
    return {
      customerId,
      count: hs.length,
      totalPrincipal: yuan(hs.reduce((s, h) => s + h.principalCents, 0)),
      totalYield: yuan(hs.reduce((s, h) => s + h.yieldToDateCents, 0)),
      items: hs.map((h) => ({
        holdingId: h.holdingId, productCode: h.productCode, productName: h.productName, riskLevel: h.riskLevel, principal: yuan(h.principalCents),
        yieldToDate: yuan(h.yieldToDateCents), annualizedRate: h.annualizedRate, purchaseDate: h.purchaseDate, maturityDate: h.maturityDate,
      })),
    };
  }

  /** `periods`: how many schedule rows from the next due one onward (the full schedule of a mortgage is 360 rows). */
  loans(customerId: string, periods: number) {
    this.customer(customerId);
    const items = this.data.loans.filter((l) => l.customerId === customerId).map((l) => {
      const money = (i: (typeof l.schedule)[number]) => ({
        period: i.period, dueDate: i.dueDate, payment: yuan(i.paymentCents), principal: yuan(i.principalCents), interest: yuan(i.interestCents),
        remainingPrincipal: yuan(i.remainingPrincipalCents), status: i.status,
      });
      const paid = l.schedule.filter((i) => i.status === 'paid');
      const next = l.schedule.find((i) => i.status === 'due');
      const firstShown = next ? next.period - 1 : l.schedule.length;
      return {
        loanId: l.loanId, type: l.type, typeName: l.typeName, typeNameEn: l.type === 'mortgage' ? 'Mortgage' : 'Consumer loan', principal: yuan(l.principalCents), annualRate: l.annualRate, termMonths: l.termMonths,
        startDate: l.startDate, maturityDate: l.schedule[l.schedule.length - 1].dueDate, repaymentMethod: l.repaymentMethod,
        outstandingPrincipal: yuan(paid.length ? paid[paid.length - 1].remainingPrincipalCents : l.principalCents),
        paidPeriods: paid.length, remainingPeriods: l.termMonths - paid.length, nextPayment: next ? money(next) : null,
        schedule: l.schedule.slice(firstShown, firstShown + periods).map(money),
      };
    });
    return { customerId, count: items.length, items };
  }

  /**
   * 挂失. Idempotent by request id: the same id returns the same case (even after the card became lost); a new id for
   * a card already reported lost is a conflict carrying the existing case number.
   */
  reportLoss(cardNo: string, req: { customerId: string; requestId: string; reason: 'lost' | 'stolen' }): LossReport & { replayed: boolean } {
    const seen = this.lossReports.get(req.requestId);
    if (seen) {
      if (seen.cardNo !== cardNo) throw new CoreError(409, 'request_id_reused', 'this request id was used for another card');
      return { ...seen.result, replayed: true };
    }
    const card = this.cardsByNo.get(cardNo);
    // Same answer for "no such card" and "not your card": the caller learns nothing about other customers' cards.
    if (!card || card.customerId !== req.customerId) throw new CoreError(404, 'card_not_found', 'no such card for this customer');
    if (card.status === 'lost') {
      const existing = [...this.lossReports.values()].find((r) => r.cardNo === cardNo);
      throw new CoreError(409, 'already_reported', 'the card is already reported lost', existing ? { caseNo: existing.result.caseNo } : undefined);
    }
    const previousStatus = card.status;
    card.status = 'lost';
    const now = this.now();
    const caseNo = `GS${now.toISOString().slice(0, 10).replaceAll('-', '')}${String(++this.caseSeq).padStart(5, '0')}`;
    const result: LossReport = { caseNo, cardNo, status: 'lost', previousStatus, reason: req.reason, reportedAt: now.toISOString() };
    this.lossReports.set(req.requestId, { cardNo, result });
    return { ...result, replayed: false };
  }

  cardStatus(cardNo: string) {
    return this.cardsByNo.get(cardNo)?.status;
  }
}

export type LossReport = { caseNo: string; cardNo: string; status: 'lost'; previousStatus: string; reason: string; reportedAt: string };
