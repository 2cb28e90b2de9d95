import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, httpStatusOf } from '../platform/errors.ts';

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/**
 * The one mapper from errors to HTTP. Clients always get `{error: {code, message, details?}}`; a 5xx never carries
 * internals (the log has them, redacted).
 */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      const status = httpStatusOf[err.code];
      if (status >= 500) req.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: { code: err.code, message: err.message, details: err.details } } satisfies ErrorBody);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      return reply.status(400).send({
        error: { code: 'validation_failed', message: `invalid ${err.validationContext ?? 'request'}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details },
      });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err: err.cause ?? err }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const fe = err as FastifyError;
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
    if (status === 500) {
      req.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'bad_request';
    return reply.status(status).send({ error: { code, message: fe.message } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON bodies must be valid UTF-8: a silently replaced byte could change a name or an amount. */
export function installStrictJson(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  // No route takes text/plain; without this Fastify would hand the raw string to a JSON schema (400 instead of 415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return done(new AppError('bad_request', 'request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new AppError('bad_request', `malformed JSON: ${(e as Error).message}`), undefined);
    }
  });
}
