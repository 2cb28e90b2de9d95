import type { WorkOrderService } from './work-order-service.ts';

/**
 * What the service module calls when a queued customer leaves a message instead of waiting (leave-message): a
 * 客户留言 work order linked to the conversation. Resolves with the work order's id once it is stored.
 */
export type WorkOrderIntake = {
  fromConversation(tenantId: string, conversationId: string, text: string, contact?: string): Promise<{ id: string }>;
};

/**
 * The intake on top of WorkOrderService: the work order gets the conversation's customer contact, the type's default
 * priority, group and SLA; a re-sent message (same text, same conversation, within ten minutes) returns the first
 * work order instead of a second one. Unknown conversation: AppError not_found.
 */
export class ConversationWorkOrderIntake implements WorkOrderIntake {
  constructor(private workOrders: Pick<WorkOrderService, 'fromConversation'>) {}

  fromConversation(tenantId: string, conversationId: string, text: string, contact?: string): Promise<{ id: string }> {
    return this.workOrders.fromConversation(tenantId, conversationId, text, contact);
  }
}
