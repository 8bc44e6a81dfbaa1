import { type ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { FastifyReply } from 'fastify';
import { AppError, ErrorCode } from './app-error';

const httpStatus: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  QUOTA_EXCEEDED: 402,
  PAYMENT_REQUIRED: 402,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * GraphQL: hands every exception to the GraphQL error formatter untouched, which maps it to a
 * client error (and logs only unexpected ones) — otherwise Nest logs each expected domain error,
 * a wrong password or a NOT_FOUND, as if it were a crash.
 * REST (downloads, webhooks): a domain error becomes its HTTP status with the same code.
 */
@Catch()
export class AppErrorFilter implements GqlExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    if (!(exception instanceof AppError) || exception instanceof HttpException) throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const retry = exception.extensions.retryAfterSeconds;
    if (typeof retry === 'number') void reply.header('retry-after', String(retry));
    return reply.status(httpStatus[exception.code]).send({ error: { code: exception.code, message: exception.message } });
  }
}
