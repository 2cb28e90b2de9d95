import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Col, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Switch, Table, Tag, TimePicker, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { pickLabel, useI18n } from '../../shared/i18n.tsx';
import { hasRole, loadSession } from '../../shared/session.ts';
import { adminApi, errorText, WEEKDAYS, type Agent, type SkillGroup, type User, type Weekday, type WorkingHours } from './admin-api.ts';
import { FormError, useRequest } from './use-request.tsx';

const NEW_GROUP: SkillGroup = {
  id: '', name: { zh: '', en: '' }, strategy: 'least_busy', workingHours: null, outOfHoursMessage: { zh: '', en: '' },
  routing: { categories: [], entryIds: [], queues: [], languages: [] }, isDefault: false,
};
const OFFICE_HOURS: WorkingHours = {
  timeZone: 'Asia/Shanghai',
  weekly: { mon: [{ start: '09:00', end: '18:00' }], tue: [{ start: '09:00', end: '18:00' }], wed: [{ start: '09:00', end: '18:00' }], thu: [{ start: '09:00', end: '18:00' }], fri: [{ start: '09:00', end: '18:00' }], sat: [], sun: [] },
};

/** "周一至周五 09:00–18:00"-style summary: each day with its intervals, closed days left out. */
function hoursSummary(h: WorkingHours | null, t: ReturnType<typeof useI18n>['t']): string {
  if (!h) return t('adm.groups.alwaysOpen');
  const days = WEEKDAYS.filter((d) => h.weekly[d].length).map((d) => `${t(`adm.day.${d}`)} ${h.weekly[d].map((i) => `${i.start}–${i.end}`).join(', ')}`);
  return days.length ? days.join('; ') : t('adm.groups.closed');
}

/** 技能组: skill groups (routing, working hours, out-of-hours message) and their agents. Supervisors see it read-only. */
export function GroupsPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const canManage = hasRole(loadSession()?.user, 'admin');
  const [groups, setGroups] = useState<SkillGroup[]>([]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const { busy: loading, error, run } = useRequest();
  const [editing, setEditing] = useState<{ group: SkillGroup; isNew: boolean } | null>(null);
  const [agentEdit, setAgentEdit] = useState<Partial<Agent> | null>(null);

  const load = useCallback(() => run(async () => {
    const [g, a, u] = await Promise.all([adminApi.groups(), adminApi.agents(), canManage ? adminApi.users() : Promise.resolve([])]);
    setGroups(g);
    setAgents(a);
    setUsers(u);
  }), [run, canManage]);
  useEffect(() => void load(), [load]);

  const members = useMemo(() => new Map(groups.map((g) => [g.id, agents.filter((a) => a.groups.includes(g.id))])), [groups, agents]);
  const groupName = (id: string) => pickLabel(groups.find((g) => g.id === id)?.name, locale) || id;

  const remove = async (g: SkillGroup) => {
    try {
      await adminApi.deleteGroup(g.id);
      message.success(t('app.saved'));
      await load();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const removeAgent = async (a: Agent) => {
    try {
      await adminApi.deleteAgent(a.userId);
      await load();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div className="page">
      {!canManage && <Alert type="info" showIcon message={t('adm.readOnly')} />}
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('adm.groups.title')}
        extra={
          <Space>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
            {canManage && <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ group: NEW_GROUP, isNew: true })}>{t('adm.groups.new')}</Button>}
          </Space>
        }
      >
        <Table<SkillGroup>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={groups}
          pagination={false}
          scroll={{ x: 950 }}
          columns={[
            { title: t('adm.groups.id'), dataIndex: 'id', width: 170, render: (v: string, g) => <Space size={4} wrap={false}><Typography.Text code style={{ whiteSpace: 'nowrap' }}>{v}</Typography.Text>{g.isDefault && <Tag color="blue">{t('adm.groups.default')}</Tag>}</Space> },
            { title: t('adm.keys.name'), dataIndex: 'name', width: 150, render: (n: SkillGroup['name']) => pickLabel(n, locale) },
            { title: t('adm.groups.strategy'), dataIndex: 'strategy', width: 130, render: (s: SkillGroup['strategy']) => t(`adm.groups.strategy.${s}`) },
            { title: t('adm.groups.hours'), dataIndex: 'workingHours', ellipsis: true, render: (h: WorkingHours | null) => <Typography.Text ellipsis={{ tooltip: hoursSummary(h, t) }}>{hoursSummary(h, t)}</Typography.Text> },
            {
              title: t('adm.groups.members'), key: 'members', width: 220,
              render: (_: unknown, g) => {
                const m = members.get(g.id) ?? [];
                return m.length ? m.slice(0, 4).map((a) => <Tag key={a.userId}>{a.displayName}</Tag>).concat(m.length > 4 ? [<Tag key="more">+{m.length - 4}</Tag>] : []) : <Typography.Text type="secondary">—</Typography.Text>;
              },
            },
            ...(canManage
              ? [{
                  title: t('adm.actions'), key: 'a', width: 120,
                  render: (_: unknown, g: SkillGroup) => (
                    <Space size={0}>
                      <Button size="small" type="link" onClick={() => setEditing({ group: g, isNew: false })}>{t('adm.edit')}</Button>
                      {!g.isDefault && (
                        <Popconfirm title={t('adm.confirmDelete')} onConfirm={() => remove(g)} okText={t('app.ok')} cancelText={t('app.cancel')}>
                          <Button size="small" type="link" danger>{t('adm.delete')}</Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                }]
              : []),
          ]}
        />
      </Card>
      <Card
        size="small"
        className="table-card"
        title={t('adm.groups.agents')}
        extra={canManage && <Button size="small" icon={<PlusOutlined />} onClick={() => setAgentEdit({ groups: [], maxConcurrent: 3 })}>{t('adm.groups.addAgent')}</Button>}
      >
        <Table<Agent>
          rowKey="userId"
          size="small"
          loading={loading}
          dataSource={agents}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          scroll={{ x: 850 }}
          columns={[
            { title: t('adm.users.username'), dataIndex: 'username', width: 140 },
            { title: t('adm.groups.agentName'), dataIndex: 'displayName', width: 150 },
            { title: t('adm.groups.title'), dataIndex: 'groups', render: (gs: string[]) => gs.map((g) => <Tag key={g}>{groupName(g)}</Tag>) },
            { title: t('adm.groups.maxConcurrent'), dataIndex: 'maxConcurrent', width: 90 },
            { title: t('adm.groups.load'), dataIndex: 'load', width: 90 },
            { title: t('adm.groups.presence'), dataIndex: 'presence', width: 90, render: (p: Agent['presence']) => <Tag color={p === 'online' ? 'green' : p === 'busy' ? 'orange' : 'default'}>{t(`presence.${p}`)}</Tag> },
            ...(canManage
              ? [{
                  title: t('adm.actions'), key: 'a', width: 120,
                  render: (_: unknown, a: Agent) => (
                    <Space size={0}>
                      <Button size="small" type="link" onClick={() => setAgentEdit(a)}>{t('adm.edit')}</Button>
                      <Popconfirm title={t('adm.confirmDelete')} onConfirm={() => removeAgent(a)} okText={t('app.ok')} cancelText={t('app.cancel')}>
                        <Button size="small" type="link" danger>{t('adm.delete')}</Button>
                      </Popconfirm>
                    </Space>
                  ),
                }]
              : []),
          ]}
        />
      </Card>
      {editing && <GroupModal group={editing.group} isNew={editing.isNew} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); void load(); }} />}
      {agentEdit && (
        <AgentModal
          agent={agentEdit}
          groups={groups}
          users={users.filter((u) => !u.disabled && u.roles.some((r) => r === 'agent' || r === 'supervisor' || r === 'admin'))}
          onClose={() => setAgentEdit(null)}
          onSaved={() => { setAgentEdit(null); void load(); }}
        />
      )}
    </div>
  );
}

function GroupModal({ group, isNew, onClose, onSaved }: { group: SkillGroup; isNew: boolean; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const [g, setG] = useState<SkillGroup>(group);
  const { busy, error, setError, run } = useRequest();
  const set = (patch: Partial<SkillGroup>) => setG((x) => ({ ...x, ...patch }));
  const setDay = (d: Weekday, interval: { start: string; end: string } | null) =>
    g.workingHours && set({ workingHours: { ...g.workingHours, weekly: { ...g.workingHours.weekly, [d]: interval ? [interval] : [] } } });

  const save = async () => {
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(g.id)) return setError(t('adm.groups.idHint'));
    if (!g.name.zh.trim() || !g.name.en.trim()) return setError(`${t('adm.groups.nameZh')} / ${t('adm.groups.nameEn')}`);
    await run(async () => {
      await adminApi.putGroup(g);
      onSaved();
    });
  };

  return (
    <Modal open title={isNew ? t('adm.groups.new') : `${t('adm.edit')} · ${group.id}`} onCancel={onClose} onOk={() => void save()} confirmLoading={busy} okText={t('adm.save')} cancelText={t('app.cancel')} width={720}>
      <FormError error={error} />
      <Form layout="vertical" size="small">
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item label={t('adm.groups.id')} extra={isNew ? t('adm.groups.idHint') : undefined}>
              <Input value={g.id} disabled={!isNew} maxLength={32} onChange={(e) => set({ id: e.target.value.trim() })} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t('adm.groups.nameZh')}>
              <Input value={g.name.zh} maxLength={64} onChange={(e) => set({ name: { ...g.name, zh: e.target.value } })} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t('adm.groups.nameEn')}>
              <Input value={g.name.en} maxLength={64} onChange={(e) => set({ name: { ...g.name, en: e.target.value } })} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item label={t('adm.groups.strategy')}>
              <Select value={g.strategy} onChange={(s) => set({ strategy: s })} options={(['least_busy', 'round_robin', 'last_agent'] as const).map((s) => ({ value: s, label: t(`adm.groups.strategy.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item label={t('adm.groups.default')}>
              <Switch checked={g.isDefault} onChange={(v) => set({ isDefault: v })} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('adm.groups.hours')}>
          <Space direction="vertical" style={{ width: '100%' }} size={6}>
            <Space>
              <Checkbox checked={!g.workingHours} onChange={(e) => set({ workingHours: e.target.checked ? null : OFFICE_HOURS })}>{t('adm.groups.alwaysOpen')}</Checkbox>
              {g.workingHours && (
                <Input addonBefore={t('adm.groups.timeZone')} value={g.workingHours.timeZone} style={{ width: 260 }} onChange={(e) => set({ workingHours: { ...g.workingHours!, timeZone: e.target.value } })} />
              )}
            </Space>
            {g.workingHours && (
              <div className="adm-week">
                {WEEKDAYS.map((d) => {
                  const iv = g.workingHours!.weekly[d][0];
                  return (
                    <div key={d} className="adm-day">
                      <Checkbox checked={!!iv} onChange={(e) => setDay(d, e.target.checked ? { start: '09:00', end: '18:00' } : null)}>{t(`adm.day.${d}`)}</Checkbox>
                      {iv ? (
                        <TimePicker.RangePicker
                          size="small"
                          format="HH:mm"
                          minuteStep={15}
                          allowClear={false}
                          value={[dayjs(`2000-01-01T${iv.start}`), dayjs(`2000-01-01T${iv.end === '24:00' ? '23:59' : iv.end}`)]}
                          onChange={(v) => v?.[0] && v[1] && setDay(d, { start: v[0].format('HH:mm'), end: v[1].format('HH:mm') })}
                          style={{ width: 170 }}
                        />
                      ) : (
                        <Typography.Text type="secondary">{t('adm.groups.closed')}</Typography.Text>
                      )}
                    </div>
                  );
                })}
              </div>
            )}
          </Space>
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item label={t('adm.groups.outOfHoursZh')}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} value={g.outOfHoursMessage.zh} onChange={(e) => set({ outOfHoursMessage: { ...g.outOfHoursMessage, zh: e.target.value } })} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item label={t('adm.groups.outOfHoursEn')}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} value={g.outOfHoursMessage.en} onChange={(e) => set({ outOfHoursMessage: { ...g.outOfHoursMessage, en: e.target.value } })} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item label={t('adm.groups.queues')}>
              <Select mode="tags" open={false} suffixIcon={null} value={g.routing.queues} onChange={(v) => set({ routing: { ...g.routing, queues: v } })} />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item label={t('adm.groups.categories')}>
              <Select mode="tags" open={false} suffixIcon={null} value={g.routing.categories} onChange={(v) => set({ routing: { ...g.routing, categories: v } })} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item label={t('adm.groups.languages')}>
              <Select mode="multiple" value={g.routing.languages} onChange={(v) => set({ routing: { ...g.routing, languages: v } })} options={[{ value: 'zh', label: '中文' }, { value: 'en', label: 'English' }]} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

function AgentModal({ agent, groups, users, onClose, onSaved }: { agent: Partial<Agent>; groups: SkillGroup[]; users: User[]; onClose(): void; onSaved(): void }) {
  const { t, locale } = useI18n();
  const [userId, setUserId] = useState(agent.userId);
  const [displayName, setDisplayName] = useState(agent.displayName ?? '');
  const [maxConcurrent, setMax] = useState(agent.maxConcurrent ?? 3);
  const [gs, setGs] = useState<string[]>(agent.groups ?? []);
  const { busy, error, setError, run } = useRequest();
  const save = async () => {
    if (!userId) return;
    await run(async () => {
      await adminApi.putAgent(userId, { ...(displayName.trim() ? { displayName: displayName.trim() } : {}), maxConcurrent, groups: gs });
      onSaved();
    });
  };
  return (
    <Modal open title={agent.userId ? t('adm.groups.editAgent', { name: agent.username ?? '' }) : t('adm.groups.addAgent')} onCancel={onClose} onOk={() => void save()} okButtonProps={{ disabled: !userId }} confirmLoading={busy} okText={t('adm.save')} cancelText={t('app.cancel')}>
      <FormError error={error} />
      <Form layout="vertical">
        {!agent.userId && (
          <Form.Item label={t('adm.groups.user')}>
            <Select showSearch optionFilterProp="label" value={userId} onChange={setUserId} options={users.map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))} />
          </Form.Item>
        )}
        <Form.Item label={t('adm.groups.agentName')}>
          <Input value={displayName} maxLength={32} onChange={(e) => setDisplayName(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('adm.groups.maxConcurrent')}>
          <InputNumber min={1} max={50} precision={0} value={maxConcurrent} onChange={(v) => setMax(v ?? 3)} />
        </Form.Item>
        <Form.Item label={t('adm.groups.title')}>
          <Select mode="multiple" value={gs} onChange={setGs} options={groups.map((g) => ({ value: g.id, label: pickLabel(g.name, locale) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
