import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { configSchema } from '../../apps/api/src/config/config';
import { Metrics } from '../../apps/api/src/metrics/metrics.service';
import { GENERATION_QUEUES, MONITORED_QUEUES } from '../../apps/api/src/metrics/monitored-queues';

// What can be checked without a container engine: the files parse, and everything they name
// (Dockerfiles, variables, commands, queues, metrics) exists in the code they deploy.

const root = resolve(__dirname, '../..');
const docker = join(root, 'docker');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const configKeys = new Set(Object.keys(configSchema.shape));
const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;

type Obj = Record<string, any>;
const compose: Obj = parse(read('docker/compose.yml'), { merge: true });
const k8sFiles = readdirSync(join(docker, 'k8s')).filter((f) => f.endsWith('.yaml'));
const k8sDocs: Obj[] = k8sFiles.flatMap((f) =>
  parseAllDocuments(read(`docker/k8s/${f}`)).map((d) => {
    assert.equal(d.errors.length, 0, `${f}: ${d.errors.join('; ')}`);
    return { ...d.toJS(), __file: f } as Obj;
  }),
);
const ourImage = /^brandwright-(api|worker|worker-cuda)(:|$)/;
const podSpecs = k8sDocs
  .map((d) => (d.kind === 'Deployment' || d.kind === 'Job' ? { file: d.__file, spec: d.spec.template.spec } : null))
  .filter((x): x is { file: string; spec: Obj } => x !== null);
const ourContainers = podSpecs.flatMap(({ file, spec }) =>
  (spec.containers as Obj[]).filter((c) => ourImage.test(c.image)).map((c) => ({ file, container: c })),
);
const appServices = Object.entries(compose.services as Record<string, Obj>).filter(([, s]) =>
  /Dockerfile\.(api|worker|worker-cuda)$/.test(s.build?.dockerfile ?? ''),
);

/** A command a container runs must be an npm script: `npm run <name>` or exactly a script's text. */
function assertIsScript(where: string, command: string[]): void {
  if (command[0] === 'npm' && command[1] === 'run') {
    assert.ok(scripts[command[2]], `${where}: npm run ${command[2]} is not a root package.json script`);
    return;
  }
  const text = command.join(' ');
  assert.ok(Object.values(scripts).includes(text), `${where}: "${text}" is not the text of any root package.json script`);
}

describe('docker/compose.yml', () => {
  test('has postgres, redis, a migrations job, api, worker and dashboard with health checks and volumes', () => {
    const services = compose.services as Record<string, Obj>;
    for (const name of ['postgres', 'redis', 'migrate', 'api', 'worker', 'dashboard']) assert.ok(services[name], `service ${name}`);
    for (const name of ['postgres', 'redis', 'api', 'worker', 'dashboard'])
      assert.ok(services[name].healthcheck?.test, `${name} has a health check`);
    assert.match(services.api.healthcheck.test.join(' '), /\/readyz/);
    assert.match(services.worker.healthcheck.test.join(' '), new RegExp(`:${services.worker.environment.METRICS_PORT}/healthz`));
    assert.equal(services.api.depends_on.migrate.condition, 'service_completed_successfully');
    assert.equal(services.worker.depends_on.migrate.condition, 'service_completed_successfully');
    for (const v of ['postgres-data', 'redis-data', 'assets', 'models']) assert.ok(v in compose.volumes, `volume ${v}`);
    assert.ok(services['worker-gpu'].deploy.resources.reservations.devices[0].capabilities.includes('gpu'));
  });

  test('every image it builds has its Dockerfile', () => {
    for (const [name, service] of Object.entries(compose.services as Record<string, Obj>)) {
      if (!service.build) continue;
      const file = resolve(docker, service.build.context, service.build.dockerfile);
      assert.ok(existsSync(file), `${name}: ${service.build.dockerfile} is missing`);
    }
  });

  test('every variable set on the api, worker and migrations is in the typed config', () => {
    assert.ok(appServices.length >= 4);
    for (const [name, service] of appServices) {
      for (const key of Object.keys(service.environment ?? {})) assert.ok(configKeys.has(key), `${name}: ${key} is not in configSchema`);
    }
  });

  test('every command is a package.json script', () => {
    for (const [name, service] of appServices) assertIsScript(`compose ${name}`, service.command);
  });
});

describe('docker/k8s', () => {
  test('every file parses and kustomization lists files that exist', () => {
    const kustomization = k8sDocs.find((d) => d.kind === 'Kustomization')!;
    for (const r of kustomization.resources as string[]) assert.ok(existsSync(join(docker, 'k8s', r)), r);
    const listed = new Set(kustomization.resources);
    for (const f of k8sFiles)
      if (f !== 'kustomization.yaml' && f !== 'secret.example.yaml') assert.ok(listed.has(f), `${f} not in kustomization`);
  });

  test('every image named has a Dockerfile', () => {
    const images = new Set<string>();
    for (const { spec } of podSpecs) for (const c of spec.containers as Obj[]) images.add(c.image);
    for (const i of k8sDocs.find((d) => d.kind === 'Kustomization')!.images as Obj[]) images.add(i.name);
    for (const image of images) {
      const name = /^brandwright-([a-z-]+)$/.exec(image)?.[1];
      assert.ok(name, `${image}: unknown image`);
      assert.ok(existsSync(join(docker, `Dockerfile.${name}`)), `${image}: docker/Dockerfile.${name} is missing`);
    }
  });

  test('every variable in the ConfigMap, the Secret template and container env is in the typed config', () => {
    const configMap = k8sDocs.find((d) => d.kind === 'ConfigMap')!;
    const secret = k8sDocs.find((d) => d.kind === 'Secret')!;
    for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)])
      assert.ok(configKeys.has(key), `${key} is not in configSchema`);
    for (const { file, container } of ourContainers) {
      for (const e of (container.env ?? []) as Obj[]) assert.ok(configKeys.has(e.name), `${file}: ${e.name} is not in configSchema`);
    }
    for (const required of ['DATABASE_URL', 'JWT_SECRET']) assert.ok(required in secret.stringData, `${required} belongs in the Secret`);
  });

  test('every command is a package.json script', () => {
    assert.ok(ourContainers.length >= 4);
    for (const { file, container } of ourContainers) assertIsScript(file, [...container.command, ...(container.args ?? [])]);
  });

  test('api: Deployment, Service, HPA, probes on /healthz and /readyz', () => {
    const api = podSpecs.find((p) => p.file === 'api-deployment.yaml')!.spec.containers[0];
    assert.equal(api.readinessProbe.httpGet.path, '/readyz');
    assert.equal(api.livenessProbe.httpGet.path, '/healthz');
    const hpa = k8sDocs.find((d) => d.kind === 'HorizontalPodAutoscaler')!;
    assert.equal(hpa.spec.scaleTargetRef.name, 'brandwright-api');
    assert.ok(k8sDocs.some((d) => d.kind === 'Service' && d.metadata.name === 'brandwright-api'));
  });

  test('GPU workers: on GPU nodes, only generation queues, time to finish a job, scaled by KEDA on those queues', () => {
    const gpu = podSpecs.find((p) => p.file === 'worker-gpu-deployment.yaml')!.spec;
    const container = gpu.containers[0];
    assert.equal(container.image, 'brandwright-worker-cuda');
    assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
    assert.ok(gpu.tolerations.some((t: Obj) => t.key === 'nvidia.com/gpu'));
    assert.ok(gpu.terminationGracePeriodSeconds >= 600, 'long enough for a batch of images');
    const queues = (container.env as Obj[]).find((e) => e.name === 'WORKER_QUEUES')!.value.split(',');
    assert.deepEqual([...queues].sort(), [...GENERATION_QUEUES].sort());
    const cpuQueues = (podSpecs.find((p) => p.file === 'worker-cpu-deployment.yaml')!.spec.containers[0].env as Obj[])
      .find((e) => e.name === 'WORKER_QUEUES')!
      .value.split(',');
    for (const q of cpuQueues) assert.ok(!(GENERATION_QUEUES as readonly string[]).includes(q), `${q} belongs on GPU workers`);
    const monitored = MONITORED_QUEUES.map((q) => q.name);
    for (const q of [...queues, ...cpuQueues]) assert.ok(monitored.includes(q), `${q} is not monitored`);

    const scaled = k8sDocs.find((d) => d.kind === 'ScaledObject')!;
    assert.equal(scaled.spec.scaleTargetRef.name, 'brandwright-worker-gpu');
    const query: string = scaled.spec.triggers[0].metadata.query;
    assert.match(query, /brandwright_queue_jobs/);
    for (const q of GENERATION_QUEUES) assert.ok(query.includes(q), `the trigger counts ${q}`);
    assert.match(query, /prioritized/, 'generation jobs carry a priority, so they wait in "prioritized"');
  });
});

describe('Dockerfiles', () => {
  const dockerfiles = readdirSync(docker).filter((f) => /^Dockerfile\.[a-z-]+$/.test(f));
  const workspaces = (JSON.parse(read('package.json')).workspaces as string[])
    .flatMap((glob) => readdirSync(join(root, glob.replace('/*', ''))).map((d) => `${glob.replace('/*', '')}/${d}`))
    .filter((dir) => existsSync(join(root, dir, 'package.json')));

  test('each copies every workspace package.json before npm ci (or npm ci fails)', () => {
    assert.deepEqual(dockerfiles.sort(), ['Dockerfile.api', 'Dockerfile.dashboard', 'Dockerfile.worker', 'Dockerfile.worker-cuda']);
    for (const f of dockerfiles) {
      const text = read(`docker/${f}`);
      for (const w of workspaces) assert.ok(text.includes(`COPY ${w}/package.json ${w}/`), `${f} does not copy ${w}/package.json`);
      assert.match(text, /npm ci/);
    }
  });

  test('server images run as a non-root user, and their CMD is a package.json script', () => {
    for (const f of ['Dockerfile.api', 'Dockerfile.worker', 'Dockerfile.worker-cuda']) {
      const text = read(`docker/${f}`);
      assert.match(text, /^USER node$/m, `${f} runs as node`);
      assert.match(text, /npm ci --omit=dev/, `${f} installs production dependencies only`);
      assertIsScript(f, JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]));
    }
    assert.match(read('docker/Dockerfile.dashboard'), /nginx-unprivileged/);
  });

  test("the CUDA image asks onnxruntime-node's installer for a flavour it has on linux/x64", () => {
    const text = read('docker/Dockerfile.worker-cuda');
    const flavour = /ONNXRUNTIME_NODE_INSTALL=(\S+)/.exec(text)![1];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const metadata = require('onnxruntime-node/script/install-metadata.js');
    assert.ok(metadata.requirements['linux/x64'].includes(flavour), `${flavour} is not an onnxruntime-node install flavour`);
    assert.match(text, /FROM \$\{CUDA_IMAGE\}/);
    assert.match(text, /ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime/, 'CUDA 12 with cuDNN 9');
    for (const f of ['Dockerfile.api', 'Dockerfile.worker']) assert.match(read(`docker/${f}`), /ONNXRUNTIME_NODE_INSTALL=skip/);
  });

  test('the server runs TypeScript through @swc-node/register, so it and @swc/core are production dependencies', () => {
    const deps = JSON.parse(read('package.json')).dependencies ?? {};
    for (const d of ['@swc-node/register', '@swc/core', 'typescript']) assert.ok(deps[d], `${d} must be in the root dependencies`);
  });
});

describe('Grafana dashboard', () => {
  test('parses, and every brandwright_ metric it charts is one the processes export', async () => {
    const dashboard = JSON.parse(read('docker/grafana/brandwright-dashboard.json'));
    const { body } = await new Metrics('api').render();
    const exported = new Set(
      [...body.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name],
      ),
    );
    for (const name of ['brandwright_queue_jobs', 'brandwright_queue_oldest_waiting_job_age_seconds']) exported.add(name);
    const exprs: string[] = dashboard.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr));
    assert.ok(exprs.length >= 10);
    for (const expr of exprs) {
      for (const [metric] of expr.matchAll(/\b(brandwright_[a-z_]+|process_[a-z_]+)\b/g))
        assert.ok(exported.has(metric), `${metric} is not exported`);
    }
  });
});
