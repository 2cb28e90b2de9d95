import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Segmented, Space, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { WorkOrderTable } from './work-order-list-page.tsx';
import { workOrdersApi, type WorkOrder } from './work-orders-api.ts';

const WINDOWS = [0, 60, 240, 1440];

/** SLA 预警: open work orders overdue or due within the window, most urgent first; refreshed every minute. */
export function SlaBreachPage() {
  const { t } = useI18n();
  const [within, setWithin] = useState(60);
  const [items, setItems] = useState<WorkOrder[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await workOrdersApi.slaBreaches(within)).items);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [within]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 60_000);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <div className="page">
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <Typography.Text type="secondary">{t('wo.breaches.hint', { min: within })}</Typography.Text>
          <span className="filter-spacer" />
          <Space>
            <span>{t('wo.breaches.within')}</span>
            <Segmented value={within} onChange={(v) => setWithin(v as number)} options={WINDOWS.map((n) => ({ value: n, label: t('wo.breaches.minutes', { n }) }))} />
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
          </Space>
        </div>
      </Card>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Card size="small" className="table-card">
        <WorkOrderTable items={items} loading={loading} pagination={false} empty={t('wo.breaches.empty')} />
      </Card>
    </div>
  );
}
