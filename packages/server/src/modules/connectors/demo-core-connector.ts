import type { ConnectorDefinitionInput } from './connector-definition.ts';

/**
 * The connector for the demo bank's core system (packages/demo-core), written as plain data, exactly as a bank
 * would write one for its own system. Flow variables in: phone, customerId, accountId, cardLast4, from, to, cardNo,
 * requestId. A customer with several accounts names one by its card's last four digits (accountByCard); lists
 * (accounts, transactions, holdings, loans) come whole, for `{x|list}` and `{x.0.field}` in flow texts.
 */
export function demoCoreConnector(baseUrl: string, apiKey: string): ConnectorDefinitionInput {
  return {
    id: 'demo-core',
    name: '演示核心系统 (demo core banking)',
    baseUrl,
    auth: { type: 'header', name: 'X-Api-Key', value: apiKey },
    timeoutMs: 5000,
    retries: { max: 2, baseDelayMs: 200, onStatuses: [502, 503, 504] },
    circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
    operations: {
      customerByPhone: {
        method: 'POST', path: '/customers/lookup', body: { phone: '{phone}' },
        map: { customerId: 'id', customerName: 'name', customerMobile: 'mobile', customerLevel: 'level' },
      },
      accounts: {
        method: 'GET', path: '/customers/{customerId}/accounts',
        map: { accounts: 'items', accountCount: 'count', accountId: 'items[0].id', cardNo: 'items[0].cardNo', cardStatus: 'items[0].cardStatus' },
      },
      // One of the customer's accounts by its card's last four digits; no such card is a 404 (http_error).
      accountByCard: {
        method: 'GET', path: '/customers/{customerId}/accounts', query: { cardLast4: '{cardLast4}' },
        map: { accountId: 'items[0].id', cardNo: 'items[0].cardNo', cardStatus: 'items[0].cardStatus' },
      },
      balance: {
        method: 'GET', path: '/accounts/{accountId}/balance',
        map: { balance: 'balance', availableBalance: 'available', frozenAmount: 'frozenAmount', currency: 'currency', balanceAsOf: 'asOf' },
      },
      transactions: {
        // Newest first: a flow shows the latest few.
        method: 'GET', path: '/accounts/{accountId}/transactions', query: { from: '{from}', to: '{to}', order: 'desc' },
        map: { transactions: 'items', transactionCount: 'total', totalIn: 'totalIn', totalOut: 'totalOut', periodFrom: 'from', periodTo: 'to' },
      },
      creditCardBill: {
        method: 'GET', path: '/customers/{customerId}/credit-cards/bill',
        map: {
          creditCardNo: 'cardNo', creditCardStatus: 'cardStatus', creditLimit: 'creditLimit', availableCredit: 'availableCredit',
          statementBalance: 'bill.statementBalance', minimumPayment: 'bill.minimumPayment', dueDate: 'bill.dueDate', billStatus: 'bill.status',
          billItems: 'bill.items', billPeriodStart: 'bill.periodStart', billPeriodEnd: 'bill.periodEnd', billOutstanding: 'bill.outstanding',
          billPaid: 'bill.paidAmount',
        },
      },
      wealth: {
        method: 'GET', path: '/customers/{customerId}/wealth',
        map: { holdings: 'items', holdingCount: 'count', totalPrincipal: 'totalPrincipal', totalYield: 'totalYield' },
      },
      loans: {
        method: 'GET', path: '/customers/{customerId}/loans',
        map: { loans: 'items', loanCount: 'count' },
      },
      reportLoss: {
        method: 'POST', path: '/cards/{cardNo}/report-loss',
        body: { customerId: '{customerId}' },
        // The flow makes one request id per confirmation, so a retried POST cannot file two cases.
        idempotencyKey: '{requestId}',
        map: { caseNo: 'caseNo', cardStatus: 'status', reportedAt: 'reportedAt' },
      },
    },
  };
}
