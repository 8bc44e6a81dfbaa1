import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { waitFor } from '../jobs/support';
import { assertRecovered, startStack, type Stack } from './stack';

/**
 * A worker killed with SIGKILL before a job's completion commits (the job runs again and writes
 * once) and right after it commits, before the job's webhooks reach the queue (the outbox relay
 * must find them in PostgreSQL). The second kill is made exact: a trigger on the job's completion
 * pauses Redis writes (CLIENT PAUSE … WRITE, from inside the completing transaction) and
 * announces the job with NOTIFY, which PostgreSQL delivers only once the commit is done. The
 * worker then blocks on its first Redis write after the commit, and the test kills it there.
 */
let stack: Stack;

before(async () => {
  stack = await startStack({ redisPersistence: true });
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
});

test('worker kill -9 before commit: the jobs run again elsewhere and write once', async () => {
  const ids = await stack.createJobs(8);
  await waitFor(async () => {
    const [{ n }] = await stack.owner<{ n: string }>(
      `SELECT count(*) AS n FROM generation_jobs WHERE id = ANY($1::uuid[]) AND status = 'RUNNING'`,
      [ids],
    );
    return Number(n) >= 2;
  }, 'jobs running');
  await stack.workers[0].stop('SIGKILL');
  const killed = Date.now();
  await stack.startWorker();
  await assertRecovered(stack, 'worker kill -9 before commit', killed, 60_000);
});

test('worker kill -9 right after commit: the webhooks it never queued are still delivered', async () => {
  const redisCli = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' }).stdout.trim() || 'redis-cli';
  await stack.owner(
    `CREATE TABLE test_kill_armed (armed boolean);
     INSERT INTO test_kill_armed VALUES (true);
     CREATE FUNCTION test_pause_after_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
     BEGIN
       DELETE FROM test_kill_armed WHERE armed;
       IF FOUND THEN
         EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', '${redisCli} -p ${stack.redis.port} CLIENT PAUSE 20000 WRITE > /dev/null');
         PERFORM pg_notify('test_job_committed', NEW.id::text);
       END IF;
       RETURN NEW;
     END $$;
     CREATE TRIGGER test_pause_after_commit AFTER UPDATE ON generation_jobs FOR EACH ROW
       WHEN (NEW.status = 'SUCCEEDED' AND OLD.status <> 'SUCCEEDED') EXECUTE FUNCTION test_pause_after_commit();`,
  );
  const listener = new pg.Client({ connectionString: stack.pg.database.url });
  await listener.connect();
  await listener.query('LISTEN test_job_committed');
  const committed = new Promise<string>((resolve) => listener.once('notification', (n) => resolve(String(n.payload))));
  const worker = stack.workers[stack.workers.length - 1];
  // Not awaited yet: while Redis writes are paused the api's own calls to Redis wait too.
  const creating = stack.createJobs(3);
  const jobId = await committed;
  await worker.stop('SIGKILL');
  const killed = Date.now();
  await stack.redis.command((c) => c.call('CLIENT', 'UNPAUSE'));
  await listener.end();
  await creating;
  console.log(`# killed the worker after job ${jobId} committed, before its webhook was queued`);
  await stack.startWorker();
  await assertRecovered(stack, 'worker kill -9 after commit', killed, 60_000);
});
