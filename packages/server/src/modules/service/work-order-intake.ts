import { AppError } from '../../platform/errors.ts';

/**
 * Where a customer's message left instead of waiting goes (留言 → 工单). Implemented by modules/work-orders and
 * given to the service module in compose.ts; `contact` is how the customer asked to be reached (free text from the
 * widget's form), when given.
 */
export type WorkOrderIntake = {
  fromConversation(tenantId: string, conversationId: string, text: string, contact?: string): Promise<{ id: string }>;
};

/** Until work orders are wired: leaving a message is refused with a clear error, and the customer stays queued. */
export const unavailableWorkOrderIntake: WorkOrderIntake = {
  async fromConversation() {
    throw new AppError('unavailable', 'leaving a message is not available on this installation');
  },
};
