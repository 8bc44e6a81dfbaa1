import { JobName, QueueName } from '../jobs/job-names';
import { JobKind } from './generation-job.entity';

/** The queue and job name each kind of generation job is added under. */
export const queueForKind: Readonly<Record<JobKind, { queue: QueueName; name: JobName }>> = {
  [JobKind.COPY]: { queue: QueueName.GENERATE_TEXT, name: JobName.GENERATE_COPY },
  [JobKind.AD_IMAGES]: { queue: QueueName.GENERATE_IMAGE, name: JobName.GENERATE_AD_IMAGES },
};
