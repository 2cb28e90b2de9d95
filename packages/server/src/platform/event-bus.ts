/**
 * In-process domain events. Listeners (analytics, assist, inspection, webhooks) subscribe here and are never called
 * inline from message handling: emit() returns at once and listeners run afterwards, isolated from each other's
 * failures. Cross-node fan-out goes through the coordination port, not through this bus.
 */
export type DomainEvent = { type: string; tenantId: string; at: string; [k: string]: unknown };
type Listener = (e: DomainEvent) => void | Promise<void>;

export class EventBus {
  private listeners = new Map<string, Set<Listener>>();
  constructor(private onError: (err: unknown, e: DomainEvent) => void = () => {}) {}

  on(type: string | '*', fn: Listener): () => void {
    let s = this.listeners.get(type);
    if (!s) this.listeners.set(type, (s = new Set()));
    s.add(fn);
    return () => s!.delete(fn);
  }

  emit(e: DomainEvent): void {
    const targets = [...(this.listeners.get(e.type) ?? []), ...(this.listeners.get('*') ?? [])];
    for (const fn of targets) {
      setImmediate(async () => {
        try {
          await fn(e);
        } catch (err) {
          this.onError(err, e);
        }
      });
    }
  }
}
