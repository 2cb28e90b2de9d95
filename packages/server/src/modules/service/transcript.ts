import type { Reply, TranscriptItem } from '@lingxi/contracts';
import type { StoredEvent } from '../conversations/conversation-repository.ts';
import { EV } from '../conversations/conversation-service.ts';

/**
 * One log event as a line of the transcript staff see (REST) and as the `event` frame agents get live. Events that
 * are not conversation (nlu.understood, flow internals, conversation.started) are left out. Staff-facing notices
 * are Chinese (zh-CN first); `type` and the payload fields let a UI word them itself.
 */
export function transcriptItem(e: StoredEvent): TranscriptItem | null {
  const at = e.createdAt.toISOString();
  const p = e.payload as Record<string, any>;
  const base = { seq: e.seq, type: e.type, at };
  const system = (text: string, extra: Partial<TranscriptItem> = {}): TranscriptItem => ({ ...base, kind: 'system', text, ...extra });
  switch (e.type) {
    case EV.received:
      return { ...base, kind: 'customer', text: String(p.text ?? '') };
    case EV.replied: {
      const reply = p.reply as Reply;
      return { ...base, kind: reply?.type === 'system' ? 'system' : 'bot', text: reply?.text ?? '', reply };
    }
    case EV.agentMessage: {
      const reply = p.reply as Reply;
      return { ...base, kind: 'agent', text: reply?.text ?? '', reply, agentId: p.agentId, agentName: p.agentName };
    }
    case EV.handoff:
      return system(`转人工（${p.reason ?? '—'}${p.queue ? `，队列 ${p.queue}` : ''}）`);
    case EV.queued:
      return system(`进入排队：${p.groupName ?? p.group}${p.priority ? `（优先级 ${p.priority}）` : ''}`);
    case EV.assigned:
      return system(`${p.agentName ?? p.agentId} 接入（${p.by}）`, { agentId: p.agentId, agentName: p.agentName });
    case EV.unassigned:
      return system(`${p.agentName ?? p.agentId} 离开（${p.reason}）`, { agentId: p.agentId, agentName: p.agentName });
    case EV.joined:
      return system(`${p.agentName ?? p.agentId} 加入会话`, { agentId: p.agentId, agentName: p.agentName });
    case EV.transferred:
      return system(`转接${p.toAgentName ? `至 ${p.toAgentName}` : p.toGroup ? `至 ${p.toGroup} 队列` : ''}${p.note ? `，备注：${p.note}` : ''}`, { agentId: p.fromAgentId });
    case EV.wrapup:
      return system(`小结：【${p.category}】${p.summary ?? ''}`, { agentId: p.agentId, agentName: p.agentName });
    case EV.closed:
      return system(`会话结束（${p.by}${p.reason ? `：${p.reason}` : ''}）`);
    case EV.outOfHours:
      return system(`非服务时间：${p.group}`);
    case EV.messageLeft:
      return system(`客户留言，已生成工单 ${p.workOrderId}`);
    default:
      return null;
  }
}
