import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Db } from '../../storage/db.ts';
import { AnalyticsService } from './analytics-service.ts';
import { PgAnalyticsRepository } from './pg-analytics-repository.ts';
import { AnalyticsProjector, type ProjectorOptions } from './projector.ts';

export type AnalyticsModule = { service: AnalyticsService; projector: AnalyticsProjector; repo: PgAnalyticsRepository };

/** Analytics (issue 6 item 6): the projector (a listener on conversation events) and the dashboards' queries. */
export function createAnalytics(d: { db: Db; coordination: Coordination; clock: Clock; logger: Logger; options?: Partial<ProjectorOptions> }): AnalyticsModule {
  const repo = new PgAnalyticsRepository(d.db);
  const projector = new AnalyticsProjector({ repo, coordination: d.coordination, clock: d.clock, logger: d.logger, options: d.options });
  return { repo, projector, service: new AnalyticsService({ repo, projector, clock: d.clock }) };
}
