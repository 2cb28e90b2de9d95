import type { Clock } from '../../platform/clock.ts';
import type { Coordination, Unsubscribe } from '../../platform/coordination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Db } from '../../storage/db.ts';
import type { KnowledgeService } from '../knowledge/knowledge-service.ts';
import type { KnowledgeSnapshot, SnapshotEntry } from '../knowledge/knowledge-snapshot.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import { runWorkerJob } from '../../platform/worker-job.ts';
import { loadFaqMatcher, type FaqModel } from '../nlu/index.ts';
import type { TrainJob } from './train-worker.ts';
import type { FlowDefinition } from '@lingxi/contracts';
import { FLOW_PREFIX } from './robot-service.ts';

/** What the model learns: each entry's questions, and each flow's trigger phrases as one `flow:<id>` class. */
export function trainingDocs(snapshot: Pick<KnowledgeSnapshot, 'entries' | 'flows'>): { id: string; questions: string[] }[] {
  return [
    ...snapshot.entries.map((e) => ({ id: e.id, questions: [e.question, ...e.similar] })),
    ...(snapshot.flows ?? []).filter((f) => f.triggers.phrases?.length).map((f) => ({ id: `${FLOW_PREFIX}${f.id}`, questions: f.triggers.phrases! })),
  ];
}

const TRAIN_WORKER = new URL('./train-worker.mjs', import.meta.url);

/** Trains in a worker thread, so that chat on this node keeps answering while a bot's knowledge is retrained. */
export async function trainInWorker(job: TrainJob): Promise<Buffer> {
  const m = await runWorkerJob<{ data: ArrayBuffer }>(TRAIN_WORKER, job, 'training');
  return Buffer.from(m.data);
}

export type LoadedBot = {
  botId: string;
  version: number;
  model: FaqModel;
  entries: Map<string, SnapshotEntry>;
  /** The version's business flows by id, and the FAQ entries that start one instead of being answered. */
  flows?: Map<string, FlowDefinition>;
  flowByEntry?: Map<string, string>;
  /** The version's synonym sets (follow-up questions substitute within them). */
  synonyms?: string[][];
  loadedAt: Date;
};

/** A trained model with the snapshot it was trained on, as the robot uses it. */
export function loadedOf(botId: string, snapshot: KnowledgeSnapshot, model: FaqModel, at: Date): LoadedBot {
  const flows = snapshot.flows ?? [];
  return {
    botId, version: snapshot.version, model, entries: new Map(snapshot.entries.map((e) => [e.id, e])), loadedAt: at,
    flows: new Map(flows.map((f) => [f.id, f])),
    flowByEntry: new Map(flows.flatMap((f) => (f.triggers.entryIds ?? []).map((id) => [id, f.id] as const))),
    synonyms: snapshot.synonyms,
  };
}

/** Trains a model of any snapshot (e.g. a bot's working copy) in a worker thread, without persisting it. */
export async function trainSnapshot(botId: string, snapshot: KnowledgeSnapshot, at: Date): Promise<LoadedBot> {
  const data = await trainInWorker({ docs: trainingDocs(snapshot), synonyms: snapshot.synonyms });
  return loadedOf(botId, snapshot, loadFaqMatcher(data), at);
}

const MODEL_KIND = 'faq';
/** How long a chat turn waits for a just-published version before answering from the previous one. */
const SWAP_WAIT_MS = 1500;
/** Longest a node waits for another node's training before training itself. */
const TRAIN_LOCK_MS = 120_000;

/**
 * The trained FAQ model of each bot's published knowledge, per process. A publish on any node reaches every node
 * through the coordination port ('kb.published'); each node then loads the persisted model of that version, or
 * trains it (and persists it for the others). The previous model keeps serving until the new one is ready.
 */
export class BotModelRegistry {
  private loaded = new Map<string, LoadedBot>();
  private loading = new Map<string, Promise<LoadedBot | null>>();
  private unsub?: Unsubscribe;
  private versions = new Map<string, Promise<LoadedBot | null>>();

  constructor(private d: { db: Db; knowledge: KnowledgeService; coordination: Coordination; logger: Logger; clock: Clock }) {}

  /**
   * Builds and persists the model of a just-published version on this node (called before the version is
   * announced), and makes it this node's current model.
   */
  async prepare(tenantId: string, botId: string, version: number): Promise<void> {
    const lb = await this.reload(tenantId, botId);
    if (lb && lb.version < version) await this.reload(tenantId, botId);
  }

  async start() {
    this.unsub = await this.d.coordination.subscribe('kb.published', (m) => {
      const { tenantId, botId, version } = m as { tenantId: string; botId: string; version: number };
      const cur = this.loaded.get(botId);
      if (cur && cur.version >= version) return;
      void this.reload(tenantId, botId).catch((err) => this.d.logger.error({ err, botId }, 'model reload failed'));
    });
  }

  async stop() {
    await this.unsub?.();
    await Promise.allSettled([...this.loading.values()]);
  }

  /** The model for the bot's current published version (null when nothing is published). */
  async get(bot: Pick<Bot, 'id' | 'tenantId'> & Partial<Pick<Bot, 'publishedVersion'>>): Promise<LoadedBot | null> {
    const cur = this.loaded.get(bot.id);
    // A node that missed a 'kb.published' message (a Redis reconnect) notices from the bot record and catches up.
    if (cur && bot.publishedVersion != null && bot.publishedVersion > cur.version && !this.loading.has(bot.id)) {
      void this.reload(bot.tenantId, bot.id).catch((err) => this.d.logger.error({ err, botId: bot.id }, 'model reload failed'));
    }
    const pending = this.loading.get(bot.id);
    if (cur && !pending) return cur;
    if (!cur) return pending ?? this.reload(bot.tenantId, bot.id);
    await Promise.race([pending, new Promise((r) => setTimeout(r, SWAP_WAIT_MS).unref())]);
    return this.loaded.get(bot.id) ?? cur;
  }

  /** Loads (or trains) the current published version. Concurrent calls for one bot share one load. */
  reload(tenantId: string, botId: string): Promise<LoadedBot | null> {
    const inflight = this.loading.get(botId);
    if (inflight) return inflight.then(() => this.reload(tenantId, botId));
    const p = this.doLoad(tenantId, botId).finally(() => this.loading.delete(botId));
    this.loading.set(botId, p);
    return p;
  }

  private async doLoad(tenantId: string, botId: string): Promise<LoadedBot | null> {
    const snapshot = await this.d.knowledge.getPublishedSnapshot(tenantId, botId);
    if (!snapshot) return null;
    const cur = this.loaded.get(botId);
    if (cur && cur.version === snapshot.version) return cur;
    const t0 = Date.now();
    const model = (await this.loadPersisted(botId, snapshot.version)) ?? (await this.trainOnce(tenantId, botId, snapshot));
    const lb = loadedOf(botId, snapshot, model, this.d.clock.now());
    // A slower load of an older version must not replace a newer one.
    const now = this.loaded.get(botId);
    if (!now || now.version < lb.version) this.loaded.set(botId, lb);
    this.d.logger.info({ botId, version: snapshot.version, entries: snapshot.entries.length, ms: Date.now() - t0 }, 'knowledge model ready');
    return this.loaded.get(botId)!;
  }

  /**
   * The model of any published version (the test console's "version N"): the persisted one, or trained and
   * persisted. Not made current; a few recent ones are kept per process.
   */
  async forVersion(tenantId: string, botId: string, version: number): Promise<LoadedBot | null> {
    const cur = this.loaded.get(botId);
    if (cur && cur.version === version) return cur;
    const key = `${botId}@${version}`;
    const hit = this.versions.get(key);
    if (hit) return hit;
    const p = (async () => {
      const v = await this.d.knowledge.getVersion(tenantId, botId, version).catch(() => null);
      if (!v) return null;
      const snapshot: KnowledgeSnapshot = { ...v.snapshot, version: v.version };
      const model = (await this.loadPersisted(botId, version)) ?? (await this.trainOnce(tenantId, botId, snapshot));
      return loadedOf(botId, snapshot, model, this.d.clock.now());
    })();
    this.versions.set(key, p);
    if (this.versions.size > 8) this.versions.delete(this.versions.keys().next().value!);
    p.then((lb) => { if (!lb) this.versions.delete(key); }, () => this.versions.delete(key));
    return p;
  }

  private async loadPersisted(botId: string, version: number): Promise<FaqModel | null> {
    const [r] = await this.d.db.query('SELECT data FROM bot_models WHERE bot_id = $1 AND version = $2 AND kind = $3', [botId, version, MODEL_KIND]);
    if (!r) return null;
    try {
      return loadFaqMatcher(Buffer.from(r.data));
    } catch (err) {
      this.d.logger.warn({ err, botId, version }, 'persisted model unreadable, retraining');
      return null;
    }
  }

  /**
   * Trains a version's model once for the whole cluster: the node holding the lock trains and persists, the others
   * wait for the persisted model (and train themselves only if it never comes, e.g. the trainer died).
   */
  private async trainOnce(tenantId: string, botId: string, snapshot: KnowledgeSnapshot): Promise<FaqModel> {
    const release = await this.d.coordination.tryLock(`train:${botId}:${snapshot.version}`, TRAIN_LOCK_MS);
    if (release) {
      try {
        return (await this.loadPersisted(botId, snapshot.version)) ?? (await this.trainAndPersist(tenantId, botId, snapshot));
      } finally {
        await release();
      }
    }
    const deadline = Date.now() + TRAIN_LOCK_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const m = await this.loadPersisted(botId, snapshot.version);
      if (m) return m;
    }
    return this.trainAndPersist(tenantId, botId, snapshot);
  }

  private async trainAndPersist(tenantId: string, botId: string, snapshot: KnowledgeSnapshot): Promise<FaqModel> {
    const data = await trainInWorker({
      docs: trainingDocs(snapshot),
      synonyms: snapshot.synonyms,
    });
    await this.d.db.query(
      'INSERT INTO bot_models(tenant_id, bot_id, version, kind, data) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING',
      [tenantId, botId, snapshot.version, MODEL_KIND, data],
    );
    return loadFaqMatcher(data);
  }
}
