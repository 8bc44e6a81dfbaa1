import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRegistry } from './job-registry';
import { JobWorker } from './job-worker';

/** The worker's registry of job handlers (found by `@JobHandler`) and the queue consumers that use it. */
@Module({
  imports: [DiscoveryModule],
  providers: [JobRegistry, JobWorker],
  exports: [JobRegistry, JobWorker],
})
export class JobWorkerModule {}
