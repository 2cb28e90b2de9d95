import type { WorkOrdersModule } from './index.ts';
import { demoCalendar } from './builtin-types.ts';

/** The demo bank's work order types (投诉, 业务办理, 客户留言) and its business hours with the 2026 holidays. */
export async function seedDemoWorkOrders(workOrders: WorkOrdersModule, tenantId: string): Promise<void> {
  await workOrders.service.ensureBuiltinTypes(tenantId);
  await workOrders.service.putCalendar({ tenantId, actor: 'system' }, demoCalendar());
}
