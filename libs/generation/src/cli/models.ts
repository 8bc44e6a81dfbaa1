/**
 * `npm run models -- list | pull <owner/name> | build-tiny [diffusion | signatures] [--size test|bench] [--name owner/name]`
 *
 * `build-tiny signatures` writes one tiny text model per supported decoder signature
 * (`brandwright/tiny-sig-*`, see models/tiny-text-variants.ts).
 *
 * Environment (read here, at the edge, and passed on as options): MODEL_DIR (default .data/models),
 * HF_ENDPOINT (default https://huggingface.co), HF_TOKEN.
 */
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR, DEMO_MODEL_ID, listModels } from '../models/model-store';
import { pullModel } from '../models/model-pull';
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

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const modelDir = process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR;
  switch (command) {
    case 'list': {
      const models = listModels(modelDir);
      if (models.length === 0) console.log(`no models in ${modelDir}`);
      for (const m of models)
        console.log(
          `${m.id.padEnd(40)} ${m.kind.padEnd(9)} ${(m.sizeBytes / 1e6).toFixed(1).padStart(8)} MB${m.isDemo ? '  (demo, random weights)' : ''}`,
        );
      return 0;
    }
    case 'pull': {
      const repo = args.find((a) => !a.startsWith('--'));
      if (!repo) throw new Error('usage: models pull <owner/name> [--revision main]');
      let last = 0;
      const { dir } = await pullModel({
        repo,
        modelDir,
        endpoint: process.env.HF_ENDPOINT ?? 'https://huggingface.co',
        token: process.env.HF_TOKEN,
        revision: flag(args, 'revision'),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 200 && p.overallReceived < p.overallTotal) return;
          last = now;
          process.stderr.write(`\r${bar(p.overallReceived, p.overallTotal)} ${p.file}`.padEnd(100));
        },
      });
      process.stderr.write('\n');
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
        'usage: npm run models -- list | pull <owner/name> | build-tiny [diffusion | signatures] [--size test|bench] [--name owner/name]',
      );
      return command ? 1 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof GenerationError ? `${error.code}: ${error.message}` : (error as Error).message);
    process.exit(1);
  },
);
