import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Empty, Input, Space, Switch, Tag, Typography } from 'antd';
import { ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { ApiError } from '../../shared/api.ts';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { dryRunTrace, type FlowJson } from './flow-graph.ts';
import { flowsApi, type DryRunResult } from './flows-api.ts';

const OUTCOME_COLOR: Record<DryRunResult['outcome'], string> = { active: 'processing', end: 'success', transfer: 'purple', cancelled: 'default', failed: 'error' };

/**
 * 试运行: the customer's messages played against the flow being edited (saved or not) by the dry-run endpoint. The
 * endpoint is stateless, so every send replays the whole conversation; the steps it passed light up on the canvas.
 */
export function DryRunPanel({ bot, flow, onTrace }: { bot: string; flow: FlowJson; onTrace(t: { current?: string; visited: string[] } | null): void }) {
  const { t } = useI18n();
  const [messages, setMessages] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [verified, setVerified] = useState(true);
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const logRef = useRef<HTMLDivElement>(null);

  const play = async (msgs: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const r = await flowsApi.dryRun(bot, flow, msgs, { verified });
      setResult(r);
      setMessages(msgs);
      const trace = dryRunTrace(r.turns);
      onTrace({ current: trace.steps[trace.steps.length - 1], visited: trace.steps });
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'validation_failed' ? t('flow.run.invalid') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const send = async () => {
    const text = draft.trim();
    if (!text || busy) return;
    setDraft('');
    await play([...messages, text]);
  };
  const reset = () => {
    setMessages([]);
    setResult(null);
    setError(null);
    onTrace(null);
  };
  useEffect(() => () => onTrace(null), [onTrace]);
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [result]);

  const trace = result ? dryRunTrace(result.turns) : null;
  const ended = result && result.outcome !== 'active';
  return (
    <div className="flow-run" data-testid="flow-dry-run">
      <div className="flow-run-bar">
        <Space size={6}>
          <Switch size="small" checked={verified} onChange={setVerified} />
          <Typography.Text style={{ fontSize: 12 }}>{t('flow.run.verified')}</Typography.Text>
        </Space>
        <span className="filter-spacer" />
        {result && <Tag color={OUTCOME_COLOR[result.outcome]} data-testid="flow-run-outcome">{t(`flow.run.outcome.${result.outcome}` as MessageKey)}</Tag>}
        <Button size="small" icon={<ReloadOutlined />} onClick={reset} disabled={busy}>{t('flow.run.reset')}</Button>
      </div>
      <div className="flow-run-log" ref={logRef} data-testid="flow-run-log">
        {!result && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('flow.run.hint')} />}
        {result?.turns.map((turn, i) => (
          <div key={i}>
            <div className="flow-run-msg user"><span>{turn.user}</span></div>
            {turn.replies.map((r, j) => (
              <div key={j} className="flow-run-msg bot" data-testid="flow-run-reply"><span>{r.text}</span></div>
            ))}
          </div>
        ))}
        {result && result.unplayed.length > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('flow.run.unplayed', { n: result.unplayed.length })}</Typography.Text>}
      </div>
      {error && <Alert type="error" showIcon message={error} style={{ margin: '0 8px' }} />}
      {result && result.calls.length > 0 && (
        <div className="flow-run-calls">
          {result.calls.map((c, i) => (
            <Tag key={i} color={c.ok ? 'green' : 'red'}>{c.connector}.{c.operation}{c.ok ? '' : ` · ${c.error}`}</Tag>
          ))}
        </div>
      )}
      {trace && Object.keys(trace.vars).length > 0 && (
        <div className="flow-run-vars" data-testid="flow-run-vars">
          <div className="flow-field-label">{t('flow.run.vars')}</div>
          {Object.entries(trace.vars).map(([k, v]) => (
            <div key={k} className="flow-run-var"><code>{k}</code><span>{typeof v === 'string' ? v : JSON.stringify(v)}</span></div>
          ))}
        </div>
      )}
      <div className="flow-run-input">
        <Input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onPressEnter={() => void send()}
          placeholder={ended ? t('flow.run.endedPlaceholder') : messages.length ? t('flow.run.answerPlaceholder') : t('flow.run.startPlaceholder')}
          disabled={busy || !!ended}
          data-testid="flow-run-input"
        />
        <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={!!ended} onClick={() => void send()} aria-label={t('flow.run.send')} />
      </div>
    </div>
  );
}
