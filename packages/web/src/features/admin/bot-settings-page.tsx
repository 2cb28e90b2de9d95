import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, InputNumber, Row, Select, Slider, Space, Switch, Typography } from 'antd';
import { QuestionCircleOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { adminApi, errorText, type Bot, type BotSettings } from './admin-api.ts';

type Values = Omit<BotSettings, 'learning'> & { hotQuestionsAuto: boolean };

/** A threshold: slider and exact number side by side, with the explanation under it. */
function Threshold({ name, label, hint, testId }: { name: 'answer' | 'margin' | 'clarify'; label: MessageKey; hint: MessageKey; testId: string }) {
  const { t } = useI18n();
  const rules =
    name === 'clarify'
      ? [
          ({ getFieldValue }: { getFieldValue(n: (string | number)[]): unknown }) => ({
            validator(_: unknown, v: number) {
              const answer = getFieldValue(['thresholds', 'answer']) as number;
              return v > answer ? Promise.reject(new Error(t('adm.bot.clarifyAboveAnswer', { clarify: v, answer }))) : Promise.resolve();
            },
          }),
        ]
      : [];
  return (
    <Form.Item label={t(label)} extra={<span className="adm-hint">{t(hint)}</span>} required>
      <Row gutter={12} align="middle" wrap={false}>
        <Col flex="auto">
          <Form.Item name={['thresholds', name]} noStyle>
            <Slider min={0} max={1} step={0.01} tooltip={{ formatter: (v) => v?.toFixed(2) }} />
          </Form.Item>
        </Col>
        <Col flex="96px">
          <Form.Item name={['thresholds', name]} noStyle rules={rules} dependencies={name === 'clarify' ? [['thresholds', 'answer']] : undefined}>
            <InputNumber min={0} max={1} step={0.01} style={{ width: 90 }} data-testid={testId} />
          </Form.Item>
        </Col>
      </Row>
    </Form.Item>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card size="small" title={title} className="adm-section">
      {children}
    </Card>
  );
}

/** 机器人设置: texts, hand-off rules, thresholds (with what each does), clarification and suggestions. */
export function BotSettingsPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const [bots, setBots] = useState<Bot[]>([]);
  const [botId, setBotId] = useState<string>();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const bot = bots.find((b) => b.id === botId);

  const fill = useCallback((b: Bot) => {
    const { learning, ...rest } = b.settings;
    form.setFieldsValue({ ...rest, hotQuestionsAuto: learning.hotQuestionsAuto });
  }, [form]);

  const load = useCallback(async () => {
    try {
      const list = await adminApi.bots();
      setBots(list);
      const current = list.find((b) => b.id === botId) ?? list[0];
      if (current) {
        setBotId(current.id);
        fill(current);
      }
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [botId, fill]);
  useEffect(() => {
    void load();
  }, []);

  // A field error shown in one language is re-checked when the language changes, so that it is shown in the new one.
  const invalidText = useCallback(() => t('adm.bot.invalid', { message: form.getFieldsError().flatMap((f) => f.errors).join('; ') }), [t, form]);
  const [clientError, setClientError] = useState(false);
  useEffect(() => {
    if (!form.getFieldError(['thresholds', 'clarify']).length) return;
    form.validateFields([['thresholds', 'clarify']]).catch(() => {
      if (clientError) setError(invalidText());
    });
    // Only a change of language re-checks; the form and flags are read as they are then.
  }, [locale]);

  const save = async () => {
    if (!bot) return;
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      setError(invalidText());
      setClientError(true);
      return;
    }
    setClientError(false);
    setBusy(true);
    try {
      const { hotQuestionsAuto, ...rest } = v;
      const saved = await adminApi.patchBot(bot.id, { ...rest, learning: { ...bot.settings.learning, hotQuestionsAuto } });
      setBots((bs) => bs.map((b) => (b.id === saved.id ? saved : b)));
      fill(saved);
      setError(null);
      message.success(t('adm.bot.saved'));
    } catch (e) {
      setError(t('adm.bot.invalid', { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page adm-bot-page">
      <Card
        size="small"
        styles={{ body: { display: 'none' } }}
        title={t('adm.bot.title')}
        extra={
          <Space>
            {bots.length > 1 && (
              <Select
                size="small"
                value={botId}
                style={{ width: 200 }}
                options={bots.map((b) => ({ value: b.id, label: `${b.name} (${b.slug})` }))}
                onChange={(id) => {
                  setBotId(id);
                  const b = bots.find((x) => x.id === id);
                  if (b) fill(b);
                }}
              />
            )}
            {bots.length === 1 && bot && <Typography.Text type="secondary">{bot.name} · {bot.slug}</Typography.Text>}
            <Button size="small" icon={<ReloadOutlined />} onClick={() => bot && fill(bot)}>{t('app.reset')}</Button>
            <Button size="small" type="primary" icon={<SaveOutlined />} loading={busy} onClick={() => void save()} data-testid="bot-save">{t('adm.save')}</Button>
          </Space>
        }
      />
      {error && <Alert type="error" showIcon message={error} data-testid="bot-error" closable onClose={() => setError(null)} />}
      <Form form={form} layout="vertical" requiredMark={false} onValuesChange={() => error && setError(null)}>
        <Row gutter={12}>
          <Col xs={24} xl={12}>
            <Section title={t('adm.bot.texts')}>
              <Form.Item name="greeting" label={t('adm.bot.greeting')} extra={t('adm.bot.greetingHint')} rules={[{ max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} showCount data-testid="bot-greeting" />
              </Form.Item>
              <Form.Item name="fallback" label={t('adm.bot.fallback')} extra={t('adm.bot.fallbackHint')} rules={[{ max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} showCount />
              </Form.Item>
              <Form.Item name="handoffText" label={t('adm.bot.handoffText')} rules={[{ max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} />
              </Form.Item>
              <Form.Item name="thanksReply" label={t('adm.bot.thanksReply')} rules={[{ max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} />
              </Form.Item>
            </Section>
            <Section title={t('adm.bot.handoff')}>
              <Form.Item name="handoffAfterFailures" label={t('adm.bot.handoffAfter')} extra={t('adm.bot.handoffAfterHint')}>
                <InputNumber min={1} max={20} precision={0} />
              </Form.Item>
              <Form.Item name="handoffKeywords" label={t('adm.bot.keywords')} extra={t('adm.bot.keywordsHint')}>
                <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，']} maxCount={50} data-testid="bot-keywords" />
              </Form.Item>
            </Section>
          </Col>
          <Col xs={24} xl={12}>
            <Section title={t('adm.bot.thresholds')}>
              <Threshold name="answer" label="adm.bot.answer" hint="adm.bot.answerHint" testId="th-answer" />
              <Threshold name="margin" label="adm.bot.margin" hint="adm.bot.marginHint" testId="th-margin" />
              <Threshold name="clarify" label="adm.bot.clarify" hint="adm.bot.clarifyHint" testId="th-clarify" />
            </Section>
            <Section title={t('adm.bot.options')}>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="maxClarifyOptions" label={<span>{t('adm.bot.maxClarify')} <QuestionCircleOutlined title={t('adm.bot.maxClarifyHint')} /></span>} extra={t('adm.bot.maxClarifyHint')}>
                    <InputNumber min={2} max={5} precision={0} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="relatedQuestions" label={t('adm.bot.related')} extra={t('adm.bot.relatedHint')}>
                    <InputNumber min={0} max={5} precision={0} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="hotQuestions" label={t('adm.bot.hot')} extra={t('adm.bot.hotHint')}>
                <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', ' ']} maxCount={30} />
              </Form.Item>
              <Form.Item name="hotQuestionsAuto" label={t('adm.bot.hotAuto')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Section>
          </Col>
        </Row>
      </Form>
    </div>
  );
}
