import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { requestContext } from '../tenant/request-context';
import { activeTraceIds } from '../../telemetry/job-tracing';

/**
 * One pino logger for the process. Every line carries the request, workspace and job ids of the
 * unit of work it was written in (read from the request context) and the active trace and span.
 * `json` (the default, and what production reads) writes one JSON object a line; `pretty` (what
 * `npm start` sets) writes readable lines for a person at a terminal.
 */
export function createLogger(level: string, name: string, format: 'json' | 'pretty' = 'json'): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    mixin() {
      const ctx = requestContext.current();
      const trace = activeTraceIds();
      return {
        ...(ctx ? { requestId: ctx.requestId, workspaceId: ctx.actor?.workspaceId } : {}),
        ...(ctx?.jobId ? { jobId: ctx.jobId } : {}),
        ...(trace ?? {}),
      };
    },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
  };
  if (format === 'json') return pino(options);
  // In-process and synchronous (no transport thread), so a crash loses no line.
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
}
