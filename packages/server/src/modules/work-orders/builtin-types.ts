import type { BusinessCalendar } from './business-hours.ts';
import { DEFAULT_CALENDAR } from './business-hours.ts';
import type { TypeWrite } from './work-order-repository.ts';

/** The type a customer's "leave a message" (留言) creates. Re-created on demand if a tenant lacks it. */
export const MESSAGE_TYPE_ID = 'message';

const opt = (value: string, zh: string, en: string) => ({ value, label: { zh, en } });
const hours = (n: number) => n * 60;

/**
 * The three types every bank starts with. Complaint targets stay well inside the 15 days within which a bank must
 * decide on a consumer complaint (银行业保险业消费投诉处理管理办法, 2020).
 */
export function builtinTypes(): TypeWrite[] {
  return [
    {
      id: 'complaint',
      name: { zh: '投诉', en: 'Complaint' },
      description: '客户对服务、收费或业务差错的投诉',
      defaultPriority: 'high',
      defaultGroup: null,
      enabled: true,
      sla: {
        firstResponseMinutes: { urgent: 30, high: 60, normal: 240, low: 480 },
        resolutionMinutes: { urgent: hours(8), high: hours(16), normal: hours(40), low: hours(80) },
      },
      fields: [
        {
          key: 'category', label: { zh: '投诉类别', en: 'Category' }, kind: 'select', required: true,
          options: [opt('attitude', '服务态度', 'Service attitude'), opt('fees', '收费争议', 'Fees'), opt('error', '业务差错', 'Processing error'), opt('fraud', '疑似欺诈', 'Suspected fraud'), opt('other', '其他', 'Other')],
        },
        { key: 'cardNumber', label: { zh: '涉及卡号', en: 'Card number' }, kind: 'card_number', required: false },
        { key: 'amount', label: { zh: '涉及金额（元）', en: 'Amount (CNY)' }, kind: 'amount', required: false },
        { key: 'incidentDate', label: { zh: '发生日期', en: 'Date of incident' }, kind: 'date', required: false },
        { key: 'contactPhone', label: { zh: '联系电话', en: 'Contact phone' }, kind: 'phone', required: false },
        { key: 'callbackRequested', label: { zh: '需要回电', en: 'Call back' }, kind: 'checkbox', required: false },
      ],
    },
    {
      id: 'service_request',
      name: { zh: '业务办理', en: 'Service request' },
      description: '需要柜面或后台办理的业务',
      defaultPriority: 'normal',
      defaultGroup: null,
      enabled: true,
      sla: {
        firstResponseMinutes: { urgent: 30, high: 120, normal: 240, low: 480 },
        resolutionMinutes: { urgent: hours(4), high: hours(8), normal: hours(16), low: hours(40) },
      },
      fields: [
        {
          key: 'business', label: { zh: '业务类型', en: 'Business' }, kind: 'select', required: true,
          options: [opt('loss', '挂失', 'Report loss'), opt('close', '销户', 'Close account'), opt('limit', '额度调整', 'Limit change'), opt('update', '信息变更', 'Update details'), opt('other', '其他', 'Other')],
        },
        { key: 'channels', label: { zh: '涉及渠道', en: 'Channels' }, kind: 'multiselect', required: false, options: [opt('app', '手机银行', 'App'), opt('counter', '柜面', 'Counter'), opt('atm', 'ATM', 'ATM'), opt('phone', '电话银行', 'Phone banking')] },
        { key: 'cardNumber', label: { zh: '卡号', en: 'Card number' }, kind: 'card_number', required: false },
        { key: 'count', label: { zh: '笔数', en: 'Number of items' }, kind: 'number', required: false, validation: { integer: true, min: 1, max: 1000 } },
        { key: 'appointmentDate', label: { zh: '预约日期', en: 'Appointment date' }, kind: 'date', required: false },
        { key: 'contactPhone', label: { zh: '联系电话', en: 'Contact phone' }, kind: 'phone', required: false },
      ],
    },
    {
      id: MESSAGE_TYPE_ID,
      name: { zh: '客户留言', en: 'Message' },
      description: '客户排队时的留言，由坐席回复或回电',
      defaultPriority: 'normal',
      defaultGroup: null,
      enabled: true,
      sla: {
        firstResponseMinutes: { urgent: 30, high: 60, normal: 120, low: 240 },
        resolutionMinutes: { urgent: hours(4), high: hours(8), normal: hours(16), low: hours(24) },
      },
      fields: [
        { key: 'contact', label: { zh: '联系方式', en: 'How to reach the customer' }, kind: 'text', required: false, validation: { maxLength: 100 } },
      ],
    },
  ];
}

/**
 * The demo bank's hours: Monday to Friday 09:00–17:30 Beijing time, with the 2026 public holidays and the weekend
 * days worked in exchange (调休) as published by the State Council's General Office
 * (国务院办公厅关于2026年部分节假日安排的通知). Check against the official notice before relying on it.
 */
export function demoCalendar(): BusinessCalendar {
  const day = [{ start: '09:00', end: '17:30' }];
  const range = (from: string, days: number) => Array.from({ length: days }, (_, i) => {
    const d = new Date(`${from}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + i);
    return d.toISOString().slice(0, 10);
  });
  const holidays = [
    ...range('2026-01-01', 3), // 元旦
    ...range('2026-02-15', 9), // 春节
    ...range('2026-04-04', 3), // 清明节
    ...range('2026-05-01', 5), // 劳动节
    ...range('2026-06-19', 3), // 端午节
    ...range('2026-09-25', 3), // 中秋节
    ...range('2026-10-01', 7), // 国庆节
  ];
  const worked = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
  return {
    ...DEFAULT_CALENDAR,
    weekly: { sun: [], mon: day, tue: day, wed: day, thu: day, fri: day, sat: [] },
    holidays,
    specialDays: worked.map((date) => ({ date, intervals: day, note: '调休上班' })),
  };
}
