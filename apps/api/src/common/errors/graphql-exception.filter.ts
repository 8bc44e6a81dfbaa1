import { type ArgumentsHost, Catch, HttpException, Inject } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { CodedError } from '@brandwright/errors';
import { LOGGER } from '../logging/logger.module';
import { clientErrorOf } from './client-error';

/**
 * GraphQL: hands every exception to the GraphQL error formatter untouched, which maps it to a
 * client error (and logs only unexpected ones) — otherwise Nest logs each expected domain error,
 * a wrong password or a NOT_FOUND, as if it were a crash.
 * REST (downloads, webhooks): any coded error (every domain's) becomes its HTTP status with the
 * same code, through the same mapping as GraphQL.
 */
@Catch()
export class AppErrorFilter implements GqlExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    if (!(exception instanceof CodedError) || exception instanceof HttpException) throw exception;
    const shown = clientErrorOf(exception, (err) => this.logger.error({ err }, 'an internal error reached a client'));
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const retry = shown.extensions.retryAfterSeconds;
    if (typeof retry === 'number') void reply.header('retry-after', String(retry));
    return reply.status(shown.status).send({ error: { code: shown.code, message: shown.message } });
  }
}
