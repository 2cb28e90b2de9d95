import type { Logger } from '../../../platform/logger.ts';
import type { EmailChannel, EmailChannelSource } from './email-config.ts';
import type { EmailService } from './email-service.ts';
import type { ImapPoller } from './imap-poller.ts';
import { SmtpListener } from './smtp-listener.ts';

/** How often the set of configured channels is re-read (new mailboxes, changed settings, disabled channels). */
const RELOAD_MS = 30_000;

/**
 * Runs the e-mail channels of all tenants in this process: an IMAP poll loop per channel with a mailbox, and one
 * built-in SMTP listener per configured port (shared by the channels on that port, routed by recipient). Every node
 * of a cluster may run it: the per-mailbox lock and Message-ID dedupe keep each message processed once.
 */
export class EmailRuntime {
  private channels: EmailChannel[] = [];
  private polls = new Map<string, { key: string; timer: NodeJS.Timeout }>();
  private listeners = new Map<string, SmtpListener>();
  private reloadTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private d: { source: EmailChannelSource; service: EmailService; poller: ImapPoller; logger: Logger }) {}

  async start() {
    await this.reload();
    this.reloadTimer = setInterval(() => void this.reload().catch((err) => this.d.logger.error({ err }, 'email: reloading channels failed')), RELOAD_MS);
    this.reloadTimer.unref();
  }

  async reload() {
    if (this.stopped) return;
    this.channels = await this.d.source.list();
    const wanted = new Map(this.channels.filter((c) => c.config.imap).map((c) => [c.id, c]));
    for (const [id, p] of this.polls) {
      const c = wanted.get(id);
      if (!c || JSON.stringify(c.config) !== p.key) {
        clearTimeout(p.timer);
        this.polls.delete(id);
      }
    }
    for (const c of wanted.values()) if (!this.polls.has(c.id)) this.schedule(c, 1000);

    const ports = new Map<string, { port: number; host: string; maxBytes: number }>();
    for (const c of this.channels) {
      const l = c.config.listener;
      if (!l) continue;
      const key = `${l.host}:${l.port}`;
      const prev = ports.get(key);
      ports.set(key, { port: l.port, host: l.host, maxBytes: Math.max(prev?.maxBytes ?? 0, c.config.limits.maxMessageBytes) });
    }
    for (const [key, l] of this.listeners) if (!ports.has(key)) { this.listeners.delete(key); await l.close(); }
    for (const [key, p] of ports) {
      if (this.listeners.has(key)) continue;
      const l = new SmtpListener({ ...p, channels: () => this.channels, deliver: (c, raw) => this.d.service.receive(c, raw, 'smtp'), logger: this.d.logger });
      try {
        await l.listen();
        this.listeners.set(key, l);
      } catch (err) {
        this.d.logger.error({ err, port: p.port }, 'email: SMTP listener could not start');
      }
    }
  }

  private schedule(c: EmailChannel, delayMs: number) {
    const timer = setTimeout(async () => {
      try {
        await this.d.poller.pollOnce(c);
      } catch (err) {
        this.d.logger.warn({ err, channel: c.id }, 'email: IMAP poll failed');
      }
      if (!this.stopped && this.polls.get(c.id)?.timer === timer) this.schedule(c, c.config.imap!.pollIntervalSec * 1000);
    }, delayMs);
    timer.unref();
    this.polls.set(c.id, { key: JSON.stringify(c.config), timer });
  }

  async stop() {
    this.stopped = true;
    if (this.reloadTimer) clearInterval(this.reloadTimer);
    for (const p of this.polls.values()) clearTimeout(p.timer);
    this.polls.clear();
    await Promise.all([...this.listeners.values()].map((l) => l.close()));
    this.listeners.clear();
  }
}
