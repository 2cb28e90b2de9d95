import { Checkbox, DatePicker, Form, Input, InputNumber, Select } from 'antd';
import dayjs from 'dayjs';
import type { Rule } from 'antd/es/form';
import { pickLabel, useI18n, type Translate } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import type { FieldDefinition, Problem } from './work-orders-api.ts';

/**
 * The custom fields of a work order type, rendered from the type's definition (administrators define them; the
 * form needs no code per field). Values live under `fields.<key>`; the server validates and reports each problem
 * per field, shown under the field (setServerProblems).
 */
export function CustomFields({ defs }: { defs: FieldDefinition[] }) {
  const { t, locale } = useI18n();
  return (
    <>
      {defs.map((d) => {
        const label = pickLabel(d.label, locale);
        const help = d.help ? pickLabel({ zh: d.help.zh ?? d.help.en ?? '', en: d.help.en ?? d.help.zh ?? '' }, locale) || undefined : undefined;
        const rules: Rule[] = d.required ? [d.kind === 'checkbox' ? { validator: (_r, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('wo.problem.required')))) } : { required: true, message: t('wo.problem.required') }] : [];
        const common = { name: ['fields', d.key], label, rules, extra: help, key: d.key };
        switch (d.kind) {
          case 'select':
            return <Form.Item {...common}><Select allowClear placeholder={t('wo.form.selectPlaceholder')} options={(d.options ?? []).map((o) => ({ value: o.value, label: pickLabel(o.label, locale) }))} /></Form.Item>;
          case 'multiselect':
            return <Form.Item {...common}><Select mode="multiple" allowClear placeholder={t('wo.form.selectPlaceholder')} options={(d.options ?? []).map((o) => ({ value: o.value, label: pickLabel(o.label, locale) }))} /></Form.Item>;
          case 'checkbox':
            return <Form.Item {...common} valuePropName="checked"><Checkbox>{t('wo.form.yes')}</Checkbox></Form.Item>;
          case 'number':
            return <Form.Item {...common}><InputNumber style={{ width: '100%' }} min={d.validation?.min} max={d.validation?.max} precision={d.validation?.integer ? 0 : undefined} /></Form.Item>;
          case 'amount':
            return <Form.Item {...common}><InputNumber<string> style={{ width: '100%' }} stringMode min="0" precision={2} addonAfter={locale === 'zh-CN' ? '元' : 'CNY'} /></Form.Item>;
          case 'date':
            return (
              <Form.Item {...common} getValueProps={(v: string | undefined) => ({ value: v ? dayjs(v) : undefined })} normalize={(v: dayjs.Dayjs | null) => (v ? v.format('YYYY-MM-DD') : undefined)}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            );
          case 'phone':
            return <Form.Item {...common}><Input inputMode="tel" maxLength={20} autoComplete="off" /></Form.Item>;
          case 'card_number':
            return <Form.Item {...common}><Input inputMode="numeric" maxLength={23} autoComplete="off" /></Form.Item>;
          default:
            return <Form.Item {...common}><Input maxLength={d.validation?.maxLength ?? 2000} /></Form.Item>;
        }
      })}
    </>
  );
}

/** Server problems → per-field errors: `fields.cardNumber` marks that field; others go to the general list. */
export function problemsToFields(problems: Problem[], t: Translate): { fields: { name: (string | number)[]; errors: string[] }[]; other: string[] } {
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  const other: string[] = [];
  for (const p of problems) {
    const path = (p.path ?? (p.field ? `fields.${p.field}` : '')).replace(/^\//, '').replace(/\//g, '.');
    const key = `wo.problem.${p.code}` as MessageKey;
    const localized = t(key);
    const msg = localized === key ? p.message : localized;
    if (!path) {
      other.push(msg);
      continue;
    }
    const name = path.split('.');
    const existing = fields.find((f) => f.name.join('.') === name.join('.'));
    if (existing) existing.errors.push(msg);
    else fields.push({ name, errors: [msg] });
  }
  return { fields, other };
}
