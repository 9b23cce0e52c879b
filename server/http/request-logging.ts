/**
 * One JSON log line per HTTP request, with a request id (the request's `X-Request-Id` — set by
 * the reverse proxy, and checked by Hono for length and characters, so a client-sent one cannot
 * forge log lines — or made here; returned in the same header). Only the route pattern is
 * logged (`/api/cases/:id`), never the path itself, the query or a body: they may hold tokens,
 * ids of people or other personal data.
 */
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { Logger } from '../logger.js';

/** Requests polled by load balancers and Prometheus are not worth a line each. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

export function requestLogging(logger: Logger): MiddlewareHandler {
  const assignId = requestId();
  return (c, next) =>
    assignId(c, async () => {
      const started = performance.now();
      await next();
      if (QUIET.has(c.req.path)) return;
      const status = c.res.status;
      const line = {
        reqId: c.get('requestId'),
        method: c.req.method,
        route: routePath(c, -1) || 'unmatched',
        status,
        ms: Math.round((performance.now() - started) * 10) / 10
      };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request');
    });
}
