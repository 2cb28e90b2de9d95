import type { ConnectorDefinitionInput } from './connector-definition.ts';

/**
 * The connector for the demo bank's core system (packages/demo-core), written as plain data, exactly as a bank
 * would write one for its own system. Flow variables in: phone, customerId, accountId, from, to, cardNo, requestId.
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
        map: { accounts: 'items', accountId: 'items[0].id', cardNo: 'items[0].cardNo', cardStatus: 'items[0].cardStatus' },
      },
      balance: {
        method: 'GET', path: '/accounts/{accountId}/balance',
        map: { balance: 'balance', availableBalance: 'available', frozenAmount: 'frozenAmount', currency: 'currency', balanceAsOf: 'asOf' },
      },
      transactions: {
        method: 'GET', path: '/accounts/{accountId}/transactions', query: { from: '{from}', to: '{to}' },
        map: { transactions: 'items', transactionCount: 'total', totalIn: 'totalIn', totalOut: 'totalOut', periodFrom: 'from', periodTo: 'to' },
      },
      creditCardBill: {
        method: 'GET', path: '/customers/{customerId}/credit-cards/bill',
        map: {
          creditCardNo: 'cardNo', creditLimit: 'creditLimit', availableCredit: 'availableCredit', statementBalance: 'bill.statementBalance',
          minimumPayment: 'bill.minimumPayment', dueDate: 'bill.dueDate', billStatus: 'bill.status', billItems: 'bill.items',
        },
      },
      wealth: {
        method: 'GET', path: '/customers/{customerId}/wealth',
        map: { holdings: 'items', totalPrincipal: 'totalPrincipal', totalYield: 'totalYield' },
      },
      loans: {
        method: 'GET', path: '/customers/{customerId}/loans',
        map: { loans: 'items' },
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
