/**
 * `npm run models -- list | pull <owner/name> | pull --recommended | build-tiny [diffusion | signatures] [--size test|bench] [--name owner/name]`
 *
 * `build-tiny signatures` writes one tiny text model per supported decoder signature
 * (`brandwright/tiny-sig-*`, see models/tiny-text-variants.ts).
 *
 * Environment (read here, at the edge, and passed on as options): MODEL_DIR (default .data/models),
 * HF_ENDPOINT (default https://huggingface.co), HF_TOKEN.
 */
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR, DEMO_MODEL_ID, listModels, summarizeTextSignature, type StoredModel } from '../models/model-store';
import { pullModel, RECOMMENDED_TEXT_MODEL } from '../models/model-pull';
import { buildTinyTextModel, type TinyModelSize } from '../models/tiny-text-model';
import { buildTinyDiffusionModel, TINY_DIFFUSION_ID } from '../models/tiny-diffusion';
import { buildTinyTextVariants } from '../models/tiny-text-variants';
import { GenerationError } from '../text/generation-error';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function bar(received: number, total: number): string {
  const width = 30;
  const ratio = total ? Math.min(1, received / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(1).padStart(5)}% ${(received / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`;
}

/** The pull's progress bar, redrawn in place; any other line (a retry, an error) starts on a line of its own. */
const progressLine = {
  open: false,
  draw(text: string): void {
    process.stderr.write(`\r${text}`.padEnd(100));
    this.open = true;
  },
  end(): void {
    if (this.open) process.stderr.write('\n');
    this.open = false;
  },
  say(text: string): void {
    this.end();
    process.stderr.write(`${text}\n`);
  },
};

/** One `models list` line: id, kind, size, then the signature (text) and what is special about it. */
function describeModel(m: StoredModel): string {
  const notes: string[] = [];
  if (m.kind === 'text' && m.complete !== false) {
    const s = summarizeTextSignature(m);
    notes.push(
      s
        ? `ids ${s.ids}, cache ${s.cache}, ${s.layout}, context ${s.context ?? '?'}${s.ops.length ? `, ${s.ops.join('+')}` : ''}`
        : 'signature unreadable',
    );
  }
  if (m.complete === false) notes.push(`INCOMPLETE (never loaded): run \`npm run models -- pull ${m.id}\` to finish`);
  if (m.isDemo) notes.push('demo, random weights');
  return `${m.id.padEnd(40)} ${m.kind.padEnd(9)} ${(m.sizeBytes / 1e6).toFixed(1).padStart(8)} MB  ${notes.join('; ')}`.trimEnd();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const modelDir = process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR;
  switch (command) {
    case 'list': {
      const models = listModels(modelDir);
      if (models.length === 0) console.log(`no models in ${modelDir}`);
      for (const m of models) console.log(describeModel(m));
      return 0;
    }
    case 'pull': {
      const recommended = args.includes('--recommended');
      const repo = recommended ? RECOMMENDED_TEXT_MODEL.repo : args.find((a) => !a.startsWith('--') && a !== flag(args, 'revision'));
      if (!repo) throw new Error('usage: models pull <owner/name> [--revision main] | models pull --recommended');
      if (recommended)
        console.log(`pulling ${repo} (${RECOMMENDED_TEXT_MODEL.onnxFile}, about ${RECOMMENDED_TEXT_MODEL.approximateMegabytes} MB)`);
      let last = 0;
      const { dir } = await pullModel({
        repo,
        modelDir,
        endpoint: process.env.HF_ENDPOINT ?? 'https://huggingface.co',
        token: process.env.HF_TOKEN,
        revision: flag(args, 'revision'),
        onnxFile: recommended ? RECOMMENDED_TEXT_MODEL.onnxFile : flag(args, 'onnx-file'),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 200 && p.overallReceived < p.overallTotal) return;
          last = now;
          progressLine.draw(`${bar(p.overallReceived, p.overallTotal)} ${p.file}`);
        },
        onRetry: (r) =>
          progressLine.say(`${r.what}: ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1})`),
      });
      progressLine.end();
      console.log(`pulled ${repo} into ${dir}`);
      return 0;
    }
    case 'build-tiny': {
      const size = (flag(args, 'size') ?? 'test') as TinyModelSize;
      if (size !== 'test' && size !== 'bench') throw new Error('--size must be test or bench');
      if (args[0] === 'diffusion') {
        const name = flag(args, 'name') ?? (size === 'bench' ? 'brandwright/tiny-diffusion-bench' : TINY_DIFFUSION_ID);
        const info = buildTinyDiffusionModel({ dir: join(modelDir, name), name, size, seed: Number(flag(args, 'seed') ?? 7) });
        console.log(
          `built ${name}: ${(info.parameters / 1e6).toFixed(2)}M parameters, in ${info.dir} (demo diffusion pipeline, random weights)`,
        );
        return 0;
      }
      if (args[0] === 'signatures') {
        for (const info of buildTinyTextVariants(modelDir, { size, suppressEos: size === 'bench' }))
          console.log(`built ${info.dir}: ${info.variant.signature} (${(info.parameters / 1e6).toFixed(2)}M parameters)`);
        return 0;
      }
      const name = flag(args, 'name') ?? (size === 'bench' ? 'brandwright/tiny-bench' : DEMO_MODEL_ID);
      const info = buildTinyTextModel({
        dir: join(modelDir, name),
        name,
        size,
        seed: Number(flag(args, 'seed') ?? 1),
        suppressEos: size === 'bench',
        idType: flag(args, 'ids') === 'int32' ? 'int32' : 'int64',
        cacheType: flag(args, 'cache') === 'float16' ? 'float16' : 'float32',
        logitsType: flag(args, 'logits') === 'float16' ? 'float16' : 'float32',
      });
      console.log(
        `built ${name}: ${(info.parameters / 1e6).toFixed(2)}M parameters, vocab ${info.vocabSize}, in ${info.dir} (demo model, random weights)`,
      );
      return 0;
    }
    default:
      console.log(
        'usage: npm run models -- list | pull <owner/name> [--onnx-file onnx/model_q4.onnx] | pull --recommended | build-tiny [diffusion | signatures] [--size test|bench] [--name owner/name]',
      );
      return command ? 1 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    progressLine.end();
    console.error(error instanceof GenerationError ? `${error.code}: ${error.message}` : (error as Error).message);
    process.exit(1);
  },
);
