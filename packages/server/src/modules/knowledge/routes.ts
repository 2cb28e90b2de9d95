import { FlowDefinition } from '@lingxi/contracts';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { AppError, forbidden } from '../../platform/errors.ts';
import { can } from '../auth/roles.ts';
import { checkConfusion } from './confusion.ts';
import { CONTENT_TYPES, type FileFormat } from './import-export.ts';
import { CHANNELS, COMMENT_ACTIONS, ENTRY_SORTS, ENTRY_STATUSES } from './knowledge-repository.ts';
import { BULK_ACTIONS } from './review.ts';
import { EntryCreate, EntryPatch, parseDateInput } from './validation.ts';

const IMPORT_LIMIT = 10 * 1024 * 1024;
const XLSX = CONTENT_TYPES.xlsx;

const BotParam = z.object({ bot: z.string().min(1).max(64) });
const Security = [{ bearer: [] }];
const tags = ['knowledge'];

const CategoryDto = z.object({
  id: z.string(), botId: z.string(), parentId: z.string().nullable(), name: z.string(), sort: z.number(), createdAt: z.date(),
  path: z.string().describe('"parent/child" path'), entryCount: z.number().describe('draft and published entries directly in it'),
});
const EntryDto = z.object({
  id: z.string(), botId: z.string(), externalId: z.string(), categoryId: z.string().nullable(), category: z.string().nullable(),
  question: z.string(), similar: z.array(z.string()), answer: z.string(), answerHtml: z.string().nullable(),
  channelAnswers: z.partialRecord(z.enum(CHANNELS), z.string()), tags: z.array(z.string()), related: z.array(z.string()),
  validFrom: z.date().nullable(), validTo: z.date().nullable(), status: z.enum(ENTRY_STATUSES),
  updatedBy: z.string().nullable(), createdAt: z.date(), updatedAt: z.date(),
  submittedBy: z.string().nullable(), submittedAt: z.date().nullable(),
});
const CommentDto = z.object({
  id: z.string(), entryId: z.string(), author: z.string(), authorName: z.string().nullable(), action: z.enum(COMMENT_ACTIONS), text: z.string(), createdAt: z.date(),
});
const EntryDetailDto = EntryDto.extend({
  comments: z.array(CommentDto).describe('review timeline, oldest first'),
  live: z.boolean().describe('the current published version contains this entry; with a status other than published, the robot serves its published content until the edit is approved and published'),
});
type CategoryTreeNode = z.infer<typeof CategoryDto> & { children: CategoryTreeNode[] };
const CategoryNodeDto: z.ZodType<CategoryTreeNode> = z.lazy(() => CategoryDto.extend({ children: z.array(CategoryNodeDto) }));
const CommentText = z.string().max(2000).optional();
const SynonymDto = z.object({ id: z.string(), botId: z.string(), words: z.array(z.string()), createdAt: z.date() });
const VersionInfoDto = z.object({
  version: z.number(), note: z.string().nullable(), createdBy: z.string().nullable(), createdByName: z.string().nullable().optional().describe('display name of the publishing user'),
  createdAt: z.date(), entryCount: z.number(),
});
const SnapshotDto = z.object({
  version: z.number(),
  entries: z.array(z.object({
    id: z.string(), category: z.string().nullable(), question: z.string(), similar: z.array(z.string()), answer: z.string(),
    answerHtml: z.string().nullable(), channelAnswers: z.record(z.string(), z.string()), tags: z.array(z.string()), related: z.array(z.string()),
    validFrom: z.string().nullable(), validTo: z.string().nullable(),
  })),
  synonyms: z.array(z.array(z.string())),
  /** The business flows published with this version. */
  flows: z.array(FlowDefinition).optional(),
});
const ImportReportDto = z.object({
  ok: z.boolean(), dryRun: z.boolean(), imported: z.number(), created: z.number(), updated: z.number(),
  errors: z.array(z.object({ row: z.number(), column: z.string().optional(), message: z.string() })),
  errorCount: z.number(),
});
const ErrorDto = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
const Words = z.array(z.string().min(1).max(50)).min(2).max(50);
const VersionNo = z.coerce.number().int().min(1).max(1_000_000);
const Note = z.string().max(500).optional();

/** `?validAt=` accepts what the entry dates accept (2025-01-31, 2025-01-31 18:00, ISO 8601). */
const ValidAt = z.string().max(40).transform((s, ctx) => {
  const d = parseDateInput(s, 'start');
  if (!d) ctx.addIssue({ code: 'custom', message: 'not a date' });
  return d ?? new Date(NaN);
});

export const knowledgeRoutes = (deps: Deps, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const kb = deps.knowledge;
  const base = '/api/v1/bots/:bot/knowledge';

  // Import bodies are raw files. The parsers are registered inside this plugin only (Fastify encapsulation).
  for (const type of [XLSX, 'text/csv', 'application/csv', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT }, (_req, body, done) => done(null, body));
  }

  // ---------------------------------------------------------------- categories
  app.get(`${base}/categories`, {
    schema: { tags, security: Security, summary: 'Categories of the bot, flat (parentId, path, sort); the console builds the tree', params: BotParam, response: { 200: z.object({ items: z.array(CategoryDto) }) } },
    preHandler: guards.require('kb:read'),
  }, async (req) => ({ items: await kb.listCategories(principalOf(req).tenantId, req.params.bot) }));

  app.post(`${base}/categories`, {
    schema: {
      tags, security: Security, params: BotParam,
      body: z.object({ name: z.string().min(1).max(100), parentId: z.string().max(64).nullable().optional(), sort: z.number().int().min(0).max(1_000_000).optional() }),
      response: { 201: CategoryDto },
    },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    reply.status(201);
    return kb.createCategory(principalOf(req), req.params.bot, req.body);
  });

  app.patch(`${base}/categories/:id`, {
    schema: {
      tags, security: Security, summary: 'Rename, move (parentId; null = top level) or reorder (sort) a category',
      params: BotParam.extend({ id: z.string().max(64) }),
      body: z.object({ name: z.string().min(1).max(100).optional(), parentId: z.string().max(64).nullable().optional(), sort: z.number().int().min(0).max(1_000_000).optional() }),
      response: { 200: CategoryDto },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => kb.updateCategory(principalOf(req), req.params.bot, req.params.id, req.body));

  app.post(`${base}/categories/:id/move`, {
    schema: {
      tags, security: Security, summary: 'Drag and drop: put a category under parentId (null = top level) at position among its siblings; returns the tree',
      params: BotParam.extend({ id: z.string().max(64) }),
      body: z.object({ parentId: z.string().max(64).nullable(), position: z.number().int().min(0).max(100_000) }),
      response: { 200: z.object({ items: z.array(CategoryNodeDto) }) },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => ({ items: await kb.placeCategory(principalOf(req), req.params.bot, req.params.id, req.body.parentId, req.body.position) }));

  app.delete(`${base}/categories/:id`, {
    schema: { tags, security: Security, summary: 'Delete an empty category (409 when it has sub-categories or entries)', params: BotParam.extend({ id: z.string().max(64) }) },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    await kb.deleteCategory(principalOf(req), req.params.bot, req.params.id);
    reply.status(204).send();
  });

  // ---------------------------------------------------------------- entries
  app.get(`${base}/entries`, {
    schema: {
      tags, security: Security, summary: 'FAQ entries of the working copy (draft and published unless status is given)', params: BotParam,
      querystring: z.object({
        q: z.string().max(200).optional().describe('text in the question, a similar question or the answer; or an exact id'),
        category: z.string().max(64).optional().describe('category id; includes its sub-categories'),
        status: z.enum(ENTRY_STATUSES).optional(),
        tag: z.string().max(50).optional(),
        validAt: ValidAt.optional().describe('only entries valid at this time'),
        validity: z.enum(['valid', 'expired', 'future']).optional().describe('valid now, ended, or not started yet'),
        sort: z.enum(ENTRY_SORTS).optional(),
        order: z.enum(['asc', 'desc']).optional(),
        page: z.coerce.number().int().min(1).max(100_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(20),
      }),
      response: { 200: z.object({ items: z.array(EntryDto), total: z.number(), page: z.number(), pageSize: z.number() }) },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => kb.listEntries(principalOf(req).tenantId, req.params.bot, req.query));

  app.post(`${base}/entries`, {
    schema: {
      tags, security: Security, params: BotParam, body: EntryCreate,
      summary: 'Create an entry (status draft unless given, published only with kb:review; externalId generated when absent; answerHtml is sanitised)',
      response: { 201: EntryDto },
    },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    reply.status(201);
    return kb.createEntry(principalOf(req), req.params.bot, req.body);
  });

  const EntryParams = BotParam.extend({ id: z.string().min(1).max(200).describe('internal id or external id') });
  app.get(`${base}/entries/:id`, {
    schema: { tags, security: Security, params: EntryParams, summary: 'An entry with its review timeline', response: { 200: EntryDetailDto } },
    preHandler: guards.require('kb:read'),
  }, async (req) => kb.getEntryDetail(principalOf(req).tenantId, req.params.bot, req.params.id));

  // ---------------------------------------------------------------- review workflow
  app.post(`${base}/entries/:id/submit`, {
    schema: { tags, security: Security, params: EntryParams, body: z.object({ comment: CommentText }).nullish(), summary: 'Submit a draft for review', response: { 200: EntryDetailDto } },
    preHandler: guards.require('kb:write'),
  }, async (req) => kb.review(principalOf(req), req.params.bot, req.params.id, 'submit', req.body?.comment));

  app.post(`${base}/entries/:id/approve`, {
    schema: {
      tags, security: Security, params: EntryParams, body: z.object({ comment: CommentText }).nullish(),
      summary: 'Approve a submitted entry (kb:review; not by its submitter). It goes live with the next publish', response: { 200: EntryDetailDto },
    },
    preHandler: guards.require('kb:review'),
  }, async (req) => kb.review(principalOf(req), req.params.bot, req.params.id, 'approve', req.body?.comment));

  app.post(`${base}/entries/:id/reject`, {
    schema: {
      tags, security: Security, params: EntryParams, body: z.object({ comment: z.string().min(1).max(2000) }),
      summary: 'Return a submitted or approved entry to draft, saying why (kb:review)', response: { 200: EntryDetailDto },
    },
    preHandler: guards.require('kb:review'),
  }, async (req) => kb.review(principalOf(req), req.params.bot, req.params.id, 'reject', req.body.comment));

  app.post(`${base}/entries/:id/comments`, {
    schema: { tags, security: Security, params: EntryParams, body: z.object({ text: z.string().min(1).max(2000) }), summary: 'Add a comment to the review timeline', response: { 201: EntryDetailDto } },
    preHandler: guards.require('kb:read'),
  }, async (req, reply) => {
    const p = principalOf(req);
    if (!can(p, 'kb:write') && !can(p, 'kb:review')) throw forbidden('commenting needs kb:write or kb:review');
    reply.status(201);
    return kb.addComment(p, req.params.bot, req.params.id, req.body.text);
  });

  app.post(`${base}/entries/bulk`, {
    schema: {
      tags, security: Security, params: BotParam,
      summary: 'One action on many entries, all or nothing (approve needs kb:review, the others kb:write)',
      description: 'submit | approve | archive | move (categoryId, null = none) | addTag (tag). Every entry is checked first; on any problem nothing changes and the 400 lists them (details.problems). move and addTag are edits: an entry they change goes back to draft when it was in review, or published and the caller has no kb:review.',
      body: z.object({
        ids: z.array(z.string().min(1).max(64)).min(1).max(1000).describe('internal entry ids'),
        action: z.enum(BULK_ACTIONS),
        categoryId: z.string().max(64).nullable().optional(),
        tag: z.string().max(50).optional(),
        comment: CommentText,
      }),
      response: { 200: z.object({ action: z.enum(BULK_ACTIONS), count: z.number(), changed: z.number() }) },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => {
    const p = principalOf(req);
    if (req.body.action === 'approve' ? !can(p, 'kb:review') : !can(p, 'kb:write')) {
      throw forbidden(req.body.action === 'approve' ? 'approving needs kb:review' : `${req.body.action} needs kb:write`);
    }
    return kb.bulk(p, req.params.bot, req.body);
  });

  app.post(`${base}/confusion`, {
    schema: {
      tags, security: Security, params: BotParam,
      summary: "Which entries the bot's current model prefers for these questions",
      description: "Runs the questions (or, with only entryId, that entry's standard and similar questions) through the model of the published version and returns each one's top matches; `confused` marks those whose best match is another entry.",
      body: z.object({
        entryId: z.string().max(200).optional().describe('internal or external id of the entry the questions belong to'),
        questions: z.array(z.string().trim().min(1).max(500)).max(200).optional(),
      }),
      response: {
        200: z.object({
          version: z.number(), entryId: z.string().nullable(), confusedCount: z.number(),
          items: z.array(z.object({
            question: z.string(), confused: z.boolean(), self: z.boolean(),
            matches: z.array(z.object({ id: z.string(), title: z.string(), matched: z.string(), score: z.number() })),
          })),
        }),
      },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => {
    const p = principalOf(req);
    const bot = await deps.tenancy.getBot(p.tenantId, req.params.bot);
    let entryId: string | null = null;
    let questions = req.body.questions ?? [];
    if (req.body.entryId) {
      const e = await kb.getEntry(p.tenantId, bot.id, req.body.entryId);
      entryId = e.externalId;
      if (!req.body.questions) questions = [e.question, ...e.similar];
    }
    if (questions.length === 0) throw new AppError('validation_failed', 'give questions, or an entryId whose questions to check');
    const loaded = await deps.models.get(bot);
    if (!loaded) throw new AppError('conflict', 'nothing is published yet: publish the knowledge base once to have a model to check against');
    return checkConfusion(loaded, questions, entryId);
  });

  app.patch(`${base}/entries/:id`, {
    schema: {
      tags, security: Security, params: EntryParams, body: EntryPatch, summary: 'Change some fields of an entry (null clears a date)',
      description: 'Status published needs kb:review (403 otherwise). Editing any other field of a submitted or approved entry, or of a published one without kb:review, returns it to draft; the published version keeps serving it until the edit is approved and published.',
      response: { 200: EntryDto },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => kb.updateEntry(principalOf(req), req.params.bot, req.params.id, req.body));

  app.delete(`${base}/entries/:id`, {
    schema: { tags, security: Security, params: EntryParams, summary: 'Archive an entry (it leaves the next publish; its id stays reserved)', response: { 200: EntryDto } },
    preHandler: guards.require('kb:write'),
  }, async (req) => kb.archiveEntry(principalOf(req), req.params.bot, req.params.id));

  // ---------------------------------------------------------------- synonyms
  app.get(`${base}/synonyms`, {
    schema: { tags, security: Security, params: BotParam, response: { 200: z.object({ items: z.array(SynonymDto) }) } },
    preHandler: guards.require('kb:read'),
  }, async (req) => ({ items: await kb.listSynonyms(principalOf(req).tenantId, req.params.bot) }));

  app.post(`${base}/synonyms`, {
    schema: { tags, security: Security, params: BotParam, body: z.object({ words: Words }), response: { 201: SynonymDto } },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    reply.status(201);
    return kb.createSynonym(principalOf(req), req.params.bot, req.body.words);
  });

  app.put(`${base}/synonyms/:id`, {
    schema: { tags, security: Security, params: BotParam.extend({ id: z.string().max(64) }), body: z.object({ words: Words }), response: { 200: SynonymDto } },
    preHandler: guards.require('kb:write'),
  }, async (req) => kb.updateSynonym(principalOf(req), req.params.bot, req.params.id, req.body.words));

  app.delete(`${base}/synonyms/:id`, {
    schema: { tags, security: Security, params: BotParam.extend({ id: z.string().max(64) }) },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    await kb.deleteSynonym(principalOf(req), req.params.bot, req.params.id);
    reply.status(204).send();
  });

  // ---------------------------------------------------------------- versions
  app.post(`${base}/publish`, {
    schema: {
      tags, security: Security, params: BotParam, summary: 'Publish approved and published entries as a new immutable version (an entry whose edit is still in review keeps its published content)',
      body: z.object({ note: Note }).nullish(),
      response: { 200: z.object({ version: z.number(), entryCount: z.number() }) },
    },
    preHandler: guards.require('kb:publish'),
  }, async (req) => kb.publish(principalOf(req), req.params.bot, req.body?.note));

  app.get(`${base}/versions`, {
    schema: { tags, security: Security, params: BotParam, response: { 200: z.object({ current: z.number().nullable(), items: z.array(VersionInfoDto) }) } },
    preHandler: guards.require('kb:read'),
  }, async (req) => kb.listVersions(principalOf(req).tenantId, req.params.bot));

  app.get(`${base}/versions/:v`, {
    schema: { tags, security: Security, params: BotParam.extend({ v: VersionNo }), response: { 200: VersionInfoDto.extend({ snapshot: SnapshotDto }) } },
    preHandler: guards.require('kb:read'),
  }, async (req) => kb.getVersion(principalOf(req).tenantId, req.params.bot, req.params.v));

  app.get(`${base}/versions/:a/diff/:b`, {
    schema: {
      tags, security: Security, summary: 'Entry ids added, removed and changed from version a to version b',
      params: BotParam.extend({ a: VersionNo, b: VersionNo }),
      response: { 200: z.object({ from: z.number(), to: z.number(), added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()), synonymsChanged: z.boolean(),
        flows: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }).optional() }) },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => kb.diffVersions(principalOf(req).tenantId, req.params.bot, req.params.a, req.params.b));

  app.post(`${base}/rollback`, {
    schema: {
      tags, security: Security, params: BotParam,
      summary: 'Publish a new version with the content of an earlier one, and restore the working copy to it',
      body: z.object({ version: z.number().int().min(1), note: Note }),
      response: { 200: z.object({ version: z.number(), entryCount: z.number(), restoredFrom: z.number() }) },
    },
    preHandler: guards.require('kb:publish'),
  }, async (req) => kb.rollback(principalOf(req), req.params.bot, req.body.version, req.body.note));

  // ---------------------------------------------------------------- import / export
  app.post(`${base}/import`, {
    bodyLimit: IMPORT_LIMIT,
    schema: {
      tags, security: Security, params: BotParam,
      summary: 'Import entries from .xlsx or CSV (raw request body, ≤ 10 MB)',
      description:
        'Send the file as the request body with `Content-Type: ' + XLSX + '` or `text/csv` (or `application/octet-stream` with ' +
        '`?format=`). Columns by header name: id, category ("a/b"), question, similar_questions (one per line), answer, tags, ' +
        'valid_from, valid_to, optional answer_html, status, related, channel_answers. A blank status is published for a reviewer ' +
        '(kb:review) and draft for anyone else, whose rows may not say published (a row error). Every row is ' +
        'validated first; on any error nothing is imported and the response (400) lists every problem with its row. ' +
        '`?dryRun=true` only validates and counts (always 200).',
      querystring: z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional(), format: z.enum(['xlsx', 'csv']).optional() }),
      response: { 200: ImportReportDto, 400: ImportReportDto.extend({ error: ErrorDto }).partial({ ok: true, dryRun: true, imported: true, created: true, updated: true, errors: true, errorCount: true }) },
    },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError('bad_request', `send the file as the request body with Content-Type ${XLSX} or text/csv`);
    }
    const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format: FileFormat | undefined = req.query.format ?? (ct === XLSX ? 'xlsx' : ct === 'text/csv' || ct === 'application/csv' ? 'csv' : undefined);
    if (!format) throw new AppError('bad_request', 'say which format the file is: ?format=xlsx or ?format=csv');
    const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
    const report = await kb.importEntries(principalOf(req), req.params.bot, { buffer: body, format, dryRun });
    if (!report.ok && !dryRun) {
      reply.status(400);
      const first = report.errors[0];
      return {
        ...report,
        error: {
          code: 'validation_failed',
          message: `${report.errorCount} problem(s) in the file; nothing was imported. First: ${first.row ? `row ${first.row}` : 'file'}${first.column ? ` (${first.column})` : ''}: ${first.message}`,
        },
      };
    }
    return report;
  });

  app.get(`${base}/export`, {
    schema: {
      tags, security: Security, params: BotParam, summary: 'Download draft and published entries in the import layout',
      querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
    },
    preHandler: guards.require('kb:read'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const bot = await deps.tenancy.getBot(p.tenantId, req.params.bot);
    const buf = await kb.exportEntries(p, bot.id, req.query.format);
    const day = deps.clock.now().toISOString().slice(0, 10);
    reply
      .header('content-type', CONTENT_TYPES[req.query.format])
      .header('content-disposition', `attachment; filename="knowledge-${bot.slug}-${day}.${req.query.format}"`)
      .header('cache-control', 'no-store');
    return reply.send(buf);
  });
};
