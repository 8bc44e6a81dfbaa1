import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Observable } from 'rxjs';
import type { AuthenticatedRequest, GraphqlContext } from '../graphql/graphql-context';
import { requestContext } from './request-context';

/**
 * Runs each resolver inside the request context (request id + the actor the guard established),
 * so TenantDb and the logger find the workspace without it being passed down by hand.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req: AuthenticatedRequest | undefined =
      context.getType<string>() === 'graphql'
        ? GqlExecutionContext.create(context).getContext<GraphqlContext>().req
        : context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req) return next.handle();
    const store = { requestId: String(req.id), actor: req.actor };
    return new Observable((subscriber) => requestContext.run(store, () => next.handle().subscribe(subscriber)));
  }
}
