import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor';

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

/** What every resolver's GraphQL context holds (built in app.module.ts). */
export interface GraphqlContext {
  req: AuthenticatedRequest;
  reply?: FastifyReply;
}
