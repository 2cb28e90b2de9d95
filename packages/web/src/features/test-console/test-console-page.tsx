import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Input, Progress, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { ClearOutlined, ExperimentOutlined, RobotOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { BotSelect, useKbBot } from '../knowledge/use-kb-bot.tsx';
import type { ConsoleVersion } from '@lingxi/contracts';
import { tcApi, type ConsoleTurn, type VersionInfo } from './tc-api.ts';
import { DECISION_COLOR, reasonOf, scoreStatus } from './trace.ts';
import './test-console.css';

type Turn = { id: number; user: string; result?: ConsoleTurn; error?: string };

/** 测试台: chat with the working copy (draft) or a published version, with the robot's reasoning per turn. */
export function TestConsolePage() {
  const { t } = useI18n();
  const { bots, bot, setSlug } = useKbBot();
  const api = useMemo(() => (bot ? tcApi(bot.slug) : null), [bot]);
  const [versions, setVersions] = useState<{ current: number | null; items: VersionInfo[] }>({ current: null, items: [] });
  const [version, setVersion] = useState<ConsoleVersion | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const state = useRef<Record<string, unknown> | undefined>(undefined);
  const seq = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!api) return;
    api.versions().then((v) => {
      setVersions(v);
      setVersion((cur) => cur ?? v.current ?? 'draft');
    }, () => setVersion((cur) => cur ?? 'draft'));
  }, [api]);
  useEffect(() => {
    scroller.current?.scrollTo({ top: scroller.current.scrollHeight });
  }, [turns]);

  const reset = () => {
    setTurns([]);
    setSelected(null);
    state.current = undefined;
  };
  const send = async (message: string) => {
    const msg = message.trim();
    if (!msg || !api || version === null || busy) return;
    const id = ++seq.current;
    setTurns((ts) => [...ts, { id, user: msg }]);
    setText('');
    setBusy(true);
    try {
      const r = await api.turn({ version, text: msg, state: state.current });
      state.current = r.state;
      setTurns((ts) => ts.map((x) => (x.id === id ? { ...x, result: r } : x)));
      setSelected(id);
    } catch (e) {
      setTurns((ts) => ts.map((x) => (x.id === id ? { ...x, error: (e as Error).message } : x)));
    } finally {
      setBusy(false);
    }
  };

  const current = turns.find((x) => x.id === selected)?.result;
  const versionOptions = [
    { value: 'draft', label: t('tc.version.draft') },
    ...[...versions.items].sort((a, b) => b.version - a.version).map((v) => ({
      value: String(v.version), label: `v${v.version}${v.version === versions.current ? ` · ${t('tc.version.current')}` : ''}`,
    })),
  ];

  return (
    <div className="page tc-page">
      <Card size="small">
        <div className="filter-bar">
          <ExperimentOutlined />
          <Typography.Text strong>{t('tc.title')}</Typography.Text>
          <BotSelect bots={bots} bot={bot} onChange={(s) => { setSlug(s); reset(); setVersion(null); }} />
          <Space size={4}>
            <Typography.Text type="secondary">{t('tc.version')}</Typography.Text>
            <Select
              size="small" style={{ width: 170 }} value={version === null ? undefined : String(version)} options={versionOptions}
              data-testid="tc-version"
              onChange={(v: string) => { setVersion(v === 'draft' ? 'draft' : Number(v)); reset(); }}
            />
          </Space>
          <Typography.Text type="secondary" className="tc-hint">{version === 'draft' ? t('tc.hint.draft') : t('tc.hint.version')}</Typography.Text>
          <span className="filter-spacer" />
          <Button icon={<ClearOutlined />} onClick={reset} disabled={!turns.length}>{t('tc.reset')}</Button>
        </div>
      </Card>
      <div className="tc-body">
        <Card size="small" className="tc-chat" title={t('tc.chat')}>
          <div className="tc-messages" ref={scroller} data-testid="tc-messages">
            {!turns.length && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tc.empty')} />}
            {turns.map((x) => (
              <div key={x.id} className="tc-turn">
                <div className="tc-row tc-user"><div className="tc-bubble">{x.user}</div><UserOutlined className="tc-avatar" /></div>
                {x.error && <Alert type="error" showIcon message={x.error} />}
                {x.result && (
                  <div className={`tc-row tc-bot ${selected === x.id ? 'tc-selected' : ''}`} onClick={() => setSelected(x.id)} data-testid="tc-bot-turn">
                    <RobotOutlined className="tc-avatar" />
                    <div className="tc-bubble">
                      {x.result.replies.map((r, i) => (
                        <div key={i} className="tc-reply">
                          <div className="tc-reply-text">{r.text}</div>
                          {r.options?.length ? (
                            <div className="tc-options">
                              {r.options.map((o) => (
                                <Button key={o.n} size="small" onClick={(e) => { e.stopPropagation(); void send(String(o.n)); }}>{o.n}. {o.text}</Button>
                              ))}
                            </div>
                          ) : null}
                        </div>
                      ))}
                      {x.result.trace.flow && <div className="tc-reply-text tc-muted">{t('tc.flowStarts', { name: x.result.trace.flow.name })}</div>}
                      <div className="tc-meta">
                        <Tag color={DECISION_COLOR[x.result.trace.decision]} className="tag-tight">{t(`tc.decision.${x.result.trace.decision}`)}</Tag>
                        {x.result.trace.intent && <Typography.Text type="secondary" ellipsis className="tc-meta-intent">{x.result.trace.intent.question}</Typography.Text>}
                      </div>
                    </div>
                  </div>
                )}
              </div>
            ))}
            {busy && <Typography.Text type="secondary" className="tc-thinking">{version === 'draft' ? t('tc.training') : t('tc.thinking')}</Typography.Text>}
          </div>
          <div className="tc-input">
            <Input
              value={text} onChange={(e) => setText(e.target.value)} onPressEnter={() => void send(text)} placeholder={t('tc.placeholder')}
              maxLength={1000} disabled={!api || version === null} data-testid="tc-input"
            />
            <Button type="primary" icon={<SendOutlined />} loading={busy} onClick={() => void send(text)} disabled={!text.trim()}>{t('tc.send')}</Button>
          </div>
        </Card>
        <Card size="small" className="tc-trace" title={t('tc.trace')} data-testid="tc-trace">
          {current ? <TracePanel turn={current} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tc.trace.empty')} />}
        </Card>
      </div>
    </div>
  );
}

function TracePanel({ turn }: { turn: ConsoleTurn }) {
  const { t } = useI18n();
  const tr = turn.trace;
  const reason = reasonOf(tr);
  const th = tr.thresholds;
  return (
    <div className="tc-trace-body">
      <div className="tc-decision">
        <Tag color={DECISION_COLOR[tr.decision]} data-testid="tc-decision">{t(`tc.decision.${tr.decision}`)}</Tag>
        <Typography.Text data-testid="tc-reason">{t(reason.key, reason.vars)}</Typography.Text>
      </div>
      <Descriptions size="small" column={1} bordered className="tc-desc">
        <Descriptions.Item label={t('tc.intent')}>
          {tr.intent ? (
            <Space size={4} wrap>
              <Tag className="tag-tight">{tr.intent.kind === 'flow' ? t('tc.kind.flow') : t('tc.kind.entry')}</Tag>
              <Typography.Text>{tr.intent.question}</Typography.Text>
              <Typography.Text type="secondary" code>{tr.intent.id}</Typography.Text>
            </Space>
          ) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('tc.understood')}>
          <Space size={4} wrap>
            <Tag className="tag-tight">{tr.lang === 'en' ? 'EN' : '中文'}</Tag>
            <Typography.Text>{tr.normalized ?? '—'}</Typography.Text>
            {tr.rewritten && <Tooltip title={t('tc.rewritten')}><Tag color="cyan" className="tag-tight">→ {tr.rewritten}</Tag></Tooltip>}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('tc.thresholds')}>
          <Space size={4} wrap>
            <Tag className="tag-tight">{t('tc.th.answer')} {th.answer}</Tag>
            <Tag className="tag-tight">{t('tc.th.margin')} {th.margin}</Tag>
            <Tag className="tag-tight">{t('tc.th.clarify')} {th.clarify}</Tag>
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('tc.model')}>
          <Typography.Text type="secondary">
            {tr.version === 'draft' ? t('tc.version.draft') : `v${tr.version}`} · {t('tc.entries', { n: tr.entryCount })} · {tr.ms} ms
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      <Typography.Text strong className="tc-hits-title">{t('tc.hits')}</Typography.Text>
      {tr.hits.length ? (
        <div className="tc-hits" data-testid="tc-hits">
          {tr.hits.map((h, i) => (
            <div key={h.id} className="tc-hit">
              <div className="tc-hit-head">
                <Typography.Text ellipsis className="tc-hit-q">{i + 1}. {h.question}</Typography.Text>
                <Tag className="tag-tight" color={h.score >= th.answer ? 'green' : h.score >= th.clarify ? 'gold' : 'default'}>{h.score.toFixed(3)}</Tag>
              </div>
              <div className="tc-bar">
                <Progress percent={Math.round(h.score * 100)} showInfo={false} size="small" status={scoreStatus(h.score, th)} />
                <span className="tc-mark tc-mark-answer" style={{ left: `${th.answer * 100}%` }} />
                <span className="tc-mark tc-mark-clarify" style={{ left: `${th.clarify * 100}%` }} />
              </div>
            </div>
          ))}
          <Typography.Text type="secondary" className="tc-legend">{t('tc.legend', { answer: th.answer, clarify: th.clarify })}</Typography.Text>
        </div>
      ) : <Typography.Text type="secondary">{t('tc.noHits')}</Typography.Text>}
    </div>
  );
}
