import pino, { type Logger } from 'pino';
import { requestContext } from '../tenant/request-context';

/**
 * One pino JSON logger for the process. Every line carries the request, workspace and job ids of
 * the unit of work it was written in, read from the request context.
 */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    mixin() {
      const ctx = requestContext.current();
      if (!ctx) return {};
      return {
        requestId: ctx.requestId,
        workspaceId: ctx.actor?.workspaceId,
        ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
      };
    },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
  });
}
