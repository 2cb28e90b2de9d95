import type { Presence } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';

/** What the coordination port holds for a present agent (expires with the heartbeat's TTL). */
type PresenceRecord = { state: Exclude<Presence, 'offline'>; activeAt: number };

const presenceKey = (t: string, u: string) => `svc:presence:${t}:${u}`;
/** The state the agent chose, kept across reconnects (a page reload restores it). */
const choiceKey = (t: string, u: string) => `svc:choice:${t}:${u}`;
const socketsSet = (t: string, u: string) => `svc:sockets:${t}:${u}`;
const CHOICE_TTL_MS = 12 * 3600_000;

export type PresenceOptions = { ttlMs: number; idleMs: number };

/**
 * Agents' presence, shared by all nodes through the coordination port: a record per agent that lives while their
 * workbench heartbeats (so a dead browser or a dead node turns them offline after the TTL), the state they chose
 * (online, busy, away, offline), and the time of their last activity (idle too long: away).
 */
export class PresenceService {
  constructor(private coordination: Coordination, private clock: Clock, readonly opts: PresenceOptions) {}

  /** The presence routing and supervisors see. */
  effective(rec: PresenceRecord | null, now = this.clock.now().getTime()): Presence {
    if (!rec) return 'offline';
    if (rec.state !== 'online') return rec.state;
    return now - rec.activeAt > this.opts.idleMs ? 'away' : 'online';
  }

  private parse(raw: string | null): PresenceRecord | null {
    if (!raw) return null;
    try {
      return JSON.parse(raw) as PresenceRecord;
    } catch {
      return null;
    }
  }

  async get(tenantId: string, userId: string): Promise<Presence> {
    return this.effective(this.parse(await this.coordination.get(presenceKey(tenantId, userId))));
  }

  async getMany(tenantId: string, userIds: string[]): Promise<Map<string, Presence>> {
    const raw = await this.coordination.getMany(userIds.map((u) => presenceKey(tenantId, u)));
    const now = this.clock.now().getTime();
    return new Map(userIds.map((u, i) => [u, this.effective(this.parse(raw[i]), now)]));
  }

  /** The agent chooses a state (WebSocket `presence` or REST). Counts as activity and as a heartbeat. */
  async choose(tenantId: string, userId: string, state: Presence): Promise<Presence> {
    await this.coordination.set(choiceKey(tenantId, userId), state, CHOICE_TTL_MS);
    if (state === 'offline') {
      await this.coordination.del(presenceKey(tenantId, userId));
      return 'offline';
    }
    const rec: PresenceRecord = { state, activeAt: this.clock.now().getTime() };
    await this.coordination.set(presenceKey(tenantId, userId), JSON.stringify(rec), this.opts.ttlMs);
    return this.effective(rec);
  }

  /**
   * A workbench socket's heartbeat (on connect, then every third of the TTL while the client keeps pinging).
   * `active`: the agent did something (connect, a `ping` with active: true).
   */
  async beat(tenantId: string, userId: string, socketId: string, active: boolean): Promise<Presence> {
    const [choice, raw] = await Promise.all([
      this.coordination.get(choiceKey(tenantId, userId)),
      this.coordination.get(presenceKey(tenantId, userId)),
      this.coordination.heartbeat(socketsSet(tenantId, userId), socketId, this.opts.ttlMs),
    ]);
    if (choice === 'offline') return 'offline';
    const prev = this.parse(raw);
    const now = this.clock.now().getTime();
    const state = (choice as PresenceRecord['state'] | null) ?? prev?.state ?? 'online';
    const rec: PresenceRecord = { state, activeAt: active || !prev ? now : prev.activeAt };
    await this.coordination.set(presenceKey(tenantId, userId), JSON.stringify(rec), this.opts.ttlMs);
    return this.effective(rec, now);
  }

  /** A socket closed: when it was the agent's last one on any node, they are offline at once. */
  async disconnect(tenantId: string, userId: string, socketId: string): Promise<boolean> {
    await this.coordination.leave(socketsSet(tenantId, userId), socketId);
    if ((await this.coordination.members(socketsSet(tenantId, userId))).length > 0) return false;
    await this.coordination.del(presenceKey(tenantId, userId));
    return true;
  }
}
