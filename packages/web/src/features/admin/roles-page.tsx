import { useEffect, useState } from 'react';
import { Alert, Card, Table, Tooltip, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import type { Role } from '../../shared/session.ts';
import { adminApi, errorText, type RoleMatrix } from './admin-api.ts';

/** 角色权限: the built-in roles × permissions, read-only (roles are defined in the server's code). */
export function RolesPage() {
  const { t } = useI18n();
  const [m, setM] = useState<RoleMatrix | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    adminApi.roles().then(setM, (e) => setError(errorText(e)));
  }, []);
  const roles: Role[] = m?.items.map((x) => x.role) ?? [];
  const has = new Map(m?.items.map((x) => [x.role, new Set(x.permissions)]) ?? []);
  const permLabel = (p: string) => t(`adm.perm.${p}` as MessageKey);
  return (
    <div className="page">
      {error && <Alert type="error" showIcon message={error} />}
      <Alert type="info" showIcon message={t('adm.roles.hint')} />
      <Card size="small" className="table-card" title={t('adm.roles.title')}>
        <Table
          rowKey="perm"
          size="small"
          loading={!m && !error}
          pagination={false}
          scroll={{ x: 900 }}
          dataSource={(m?.permissions ?? []).map((perm) => ({ perm }))}
          data-testid="roles-matrix"
          columns={[
            {
              title: t('adm.roles.permission'), dataIndex: 'perm', width: 260, fixed: 'left',
              render: (p: string) => (
                <span>
                  {permLabel(p)} <Typography.Text type="secondary" code style={{ fontSize: 11 }}>{p}</Typography.Text>
                </span>
              ),
            },
            ...roles.map((r) => ({
              title: t(`app.role.${r}`), key: r, align: 'center' as const, width: 110,
              render: (_: unknown, row: { perm: string }) =>
                has.get(r)?.has(row.perm) ? (
                  <Tooltip title={`${t(`app.role.${r}`)} · ${permLabel(row.perm)}`}>
                    <CheckCircleFilled style={{ color: '#52c41a' }} aria-label="yes" />
                  </Tooltip>
                ) : (
                  <Typography.Text type="secondary">—</Typography.Text>
                ),
            })),
          ]}
        />
      </Card>
    </div>
  );
}
