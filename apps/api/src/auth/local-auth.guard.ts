import { type ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { validate } from '../common/validation/validate';
import type { GraphqlContext } from '../common/graphql/graphql-context';
import { logInSchema } from './dto/auth.inputs';

/** Runs passport-local on the logIn mutation's `input` argument. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  getRequest(context: ExecutionContext) {
    const gql = GqlExecutionContext.create(context);
    const input = validate(logInSchema, gql.getArgs<{ input: unknown }>().input);
    const req = gql.getContext<GraphqlContext>().req;
    return Object.assign(Object.create(req), { body: input, headers: req.headers });
  }

  handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (err) throw err;
    // passport sets `user` on the stand-in request above; the resolver reads the real one.
    (GqlExecutionContext.create(context).getContext<GraphqlContext>().req as unknown as { user: T }).user = user;
    return user;
  }
}
