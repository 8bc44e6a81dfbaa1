import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '../auth/actor';

/**
 * What one unit of work (a GraphQL operation, a job) runs as. It lives in AsyncLocalStorage so
 * that the database layer and the logger find it without it being passed through every call.
 */
export interface RequestContext {
  requestId: string;
  actor?: Actor;
  /** Set for job processors, so their log lines carry the job id. */
  jobId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  workspaceId(): string | undefined {
    return storage.getStore()?.actor?.workspaceId ?? undefined;
  },
};
