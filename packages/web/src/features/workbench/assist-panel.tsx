import { Alert, Button, Empty, Progress, Tag, Tooltip, Typography } from 'antd';
import { AimOutlined, BulbOutlined, EnterOutlined, SafetyCertificateOutlined, SmileOutlined, FrownOutlined, MehOutlined } from '@ant-design/icons';
import type { AssistSuggestion } from '@lingxi/contracts';
import { App } from 'antd';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { agentStore } from './use-workbench.ts';
import type { TranscriptItem } from './transcript.ts';

const SENTIMENT = {
  negative: { color: 'red', icon: <FrownOutlined /> },
  neutral: { color: 'default', icon: <MehOutlined /> },
  positive: { color: 'green', icon: <SmileOutlined /> },
} as const;

/**
 * 坐席辅助: what the assist listener found for the customer's last message — knowledge answers to insert with one
 * click (then edit), the intent, the sentiment (an upset customer is flagged in red) and the kinds of personal
 * data the message contained (the text itself reaches the agent masked).
 */
export function AssistPanel({ conversationId, suggestion, transcript, disabled, unavailable }: { conversationId: string; suggestion: AssistSuggestion | undefined; transcript: TranscriptItem[]; disabled: boolean; unavailable: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  if (!suggestion) {
    return (
      <div className="assist">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={unavailable ? t('app.unavailable', { what: 'assist' }) : t('assist.waiting')} />
      </div>
    );
  }
  const forText = transcript.find((i) => i.seq === suggestion.forSeq)?.text;
  const s = SENTIMENT[suggestion.sentiment] ?? SENTIMENT.neutral;
  return (
    <div className="assist" data-testid="assist">
      {forText && (
        <div className="assist-for">
          <Typography.Text type="secondary">{t('assist.forMessage')}</Typography.Text>
          <div className="assist-for-text">“{forText}”</div>
        </div>
      )}
      {suggestion.angry && <Alert type="error" showIcon message={t('assist.angry')} className="assist-angry" data-testid="assist-angry" />}
      <div className="assist-flags">
        <div className="assist-flag">
          <span className="assist-flag-label"><AimOutlined /> {t('assist.intent')}</span>
          {suggestion.intent ? (
            <Tooltip title={`${suggestion.intent.id} · ${Math.round(suggestion.intent.score * 100)}%`}>
              <Tag color="blue" bordered={false}>{suggestion.intent.label}</Tag>
            </Tooltip>
          ) : (
            <Typography.Text type="secondary">—</Typography.Text>
          )}
        </div>
        <div className="assist-flag">
          <span className="assist-flag-label"><BulbOutlined /> {t('assist.sentiment')}</span>
          <Tag color={suggestion.angry ? 'red' : s.color} icon={s.icon} bordered={false} data-testid="assist-sentiment">{t(`assist.sentiment.${suggestion.sentiment}`)}</Tag>
        </div>
        {suggestion.pii.length > 0 && (
          <div className="assist-flag">
            <span className="assist-flag-label"><SafetyCertificateOutlined /> {t('assist.pii')}</span>
            <span>{suggestion.pii.map((k) => <Tag key={k} color="orange" bordered={false}>{piiLabel(k, t)}</Tag>)}</span>
          </div>
        )}
      </div>
      <div className="assist-title">{t('assist.suggestions')}</div>
      {suggestion.answers.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('assist.noAnswers')} />
      ) : (
        <ol className="assist-answers">
          {suggestion.answers.map((a, i) => (
            <li key={a.entryId + i} className="assist-answer" data-testid="assist-answer">
              <div className="assist-q">
                <span className="assist-rank">{i + 1}</span>
                <Typography.Text strong ellipsis={{ tooltip: a.question }}>{a.question}</Typography.Text>
              </div>
              <Typography.Paragraph className="assist-a" ellipsis={{ rows: 4, expandable: true, symbol: '…' }}>{a.answer}</Typography.Paragraph>
              <div className="assist-foot">
                <Progress percent={Math.round(a.score * 100)} size="small" showInfo={false} strokeColor={a.score >= 0.7 ? '#52c41a' : a.score >= 0.4 ? '#1668dc' : '#bfbfbf'} style={{ width: 90, margin: 0 }} />
                <Typography.Text type="secondary" className="assist-score">{t('assist.score', { score: Math.round(a.score * 100) })}</Typography.Text>
                <Button
                  size="small"
                  type="primary"
                  ghost
                  icon={<EnterOutlined />}
                  disabled={disabled}
                  onClick={() => {
                    agentStore.insert(conversationId, a.answer);
                    message.info(t('assist.inserted'));
                  }}
                  data-testid="assist-insert"
                >
                  {t('assist.insert')}
                </Button>
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function piiLabel(kind: string, t: (k: MessageKey) => string): string {
  return ['card', 'phone', 'id', 'email'].includes(kind) ? t(`assist.pii.${kind}` as MessageKey) : kind;
}
