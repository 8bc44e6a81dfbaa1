import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { JOB_NAMES, type JobName } from './job-names';
import { JobHandler } from './job-handler';

export interface RegisteredHandler {
  name: JobName;
  handler: JobHandler;
  /** The provider class, for error messages. */
  owner: string;
}

/** Refuses a set of handlers unless every job name has exactly one (and no handler names an unknown job). */
export function assertOneHandlerPerJob(handlers: readonly RegisteredHandler[]): void {
  const problems: string[] = [];
  for (const name of JOB_NAMES) {
    const mine = handlers.filter((h) => h.name === name);
    if (mine.length === 0) problems.push(`${name} has no handler`);
    if (mine.length > 1) problems.push(`${name} has ${mine.length} handlers (${mine.map((h) => h.owner).join(', ')})`);
  }
  for (const h of handlers) if (!JOB_NAMES.includes(h.name)) problems.push(`${h.owner} handles "${h.name}", which is not a job name`);
  if (problems.length) throw new Error(`Every job needs exactly one handler: ${problems.join('; ')}`);
}

/**
 * The worker's job handlers, found at start among the app's providers (`@JobHandler`), as
 * immich's job repository does: start-up fails when a job name has no handler or two.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly byName = new Map<JobName, JobHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found: RegisteredHandler[] = this.discovery
      .getProviders({ metadataKey: JobHandler.KEY })
      .filter((wrapper) => wrapper.instance)
      .map((wrapper) => ({
        name: this.discovery.getMetadataByDecorator(JobHandler, wrapper) as JobName,
        handler: wrapper.instance as JobHandler,
        owner: wrapper.name,
      }));
    assertOneHandlerPerJob(found);
    for (const { name, handler } of found) this.byName.set(name, handler);
  }

  handler(name: JobName): JobHandler | undefined {
    return this.byName.get(name);
  }
}
