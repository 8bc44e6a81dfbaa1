/**
 * `models pull`: downloads a model from a Hugging Face-compatible hub into the model store.
 *
 * - The file list with sizes and hashes comes from /api/models/<repo>/tree/<revision>; a HEAD of
 *   each file's resolve URL gives the hub's ETag / X-Linked-Etag, and the two must agree.
 * - Each file goes to `<path>.incomplete` first and resumes with an HTTP Range request when the
 *   connection breaks, then is checked (size; sha256 for LFS files, the git blob id for small
 *   ones) before it takes its real name, so a half-written or tampered file is never loaded.
 * - 401/403 name HF_TOKEN; other 4xx are final (no retry); 5xx, 429 and dropped connections are
 *   retried with exponential backoff and full jitter.
 * - Until every file is in place the folder holds PULL_MARKER: the model store lists such a
 *   model as incomplete and never picks it.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';
import { PULL_MARKER } from './model-store';

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content (LFS files only). */
  sha256?: string;
  /** Git blob id (sha1 of "blob <size>\0" + content), for files stored in git itself. */
  gitOid?: string;
}

export interface PullProgress {
  file: string;
  received: number;
  total: number;
  /** Bytes of every file together. */
  overallReceived: number;
  overallTotal: number;
}

export interface PullRetry {
  what: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface PullOptions {
  repo: string;
  modelDir: string;
  /** Hub base URL, e.g. https://huggingface.co (HF_ENDPOINT). */
  endpoint: string;
  token?: string;
  revision?: string;
  /** Which files to fetch; default: root JSON/text files and onnx/model.onnx with its data. */
  include?: (path: string) => boolean;
  /**
   * Use this export as onnx/model.onnx (e.g. `onnx/model_q4.onnx`): it is saved under that name;
   * its external data files keep theirs, since the graph refers to them by name.
   */
  onnxFile?: string;
  onProgress?: (progress: PullProgress) => void;
  /** Told before each retry (a 5xx, a 429 or a dropped connection). */
  onRetry?: (retry: PullRetry) => void;
  /** Attempts per request (default 5). */
  retries?: number;
  /** First backoff delay (default 1,000 ms); doubles per attempt, with full jitter, at most 30 s. */
  retryDelayMs?: number;
}

/** A small, known-good instruct export for text: what `models pull --recommended` fetches. */
export const RECOMMENDED_TEXT_MODEL = {
  repo: 'onnx-community/Qwen2.5-0.5B-Instruct',
  onnxFile: 'onnx/model_q4.onnx',
  /** About 786 MB of weights (4-bit MatMulNBits) plus about 12 MB of tokenizer and config files. */
  approximateMegabytes: 800,
} as const;

export const defaultInclude = (path: string): boolean =>
  /^[^/]+\.(json|txt|model)$/.test(path) || /^onnx\/model\.onnx(_data(_\d+)?)?$/.test(path);

/** Root JSON/text files, the chosen ONNX file and its external data (`model_q4.onnx_data`, `…_data_1`). */
function includeFor(onnxFile: string): (path: string) => boolean {
  const escaped = onnxFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const data = new RegExp(`^${escaped}(_data(_\\d+)?|\\.data)$`);
  return (path) => /^[^/]+\.(json|txt|model)$/.test(path) || path === onnxFile || data.test(path);
}

type Hub = Pick<PullOptions, 'repo' | 'endpoint' | 'token' | 'revision' | 'retries' | 'retryDelayMs' | 'onRetry'>;

export async function listHubFiles(options: Hub): Promise<HubFile[]> {
  const url = `${base(options)}/api/models/${options.repo}/tree/${options.revision ?? 'main'}?recursive=true`;
  const res = await hubRequest(options, url, `the file list of ${options.repo}`);
  const entries = (await res.json()) as {
    type: string;
    path: string;
    size: number;
    oid?: string;
    lfs?: { oid?: string; sha256?: string; size?: number };
  }[];
  return entries
    .filter((e) => e.type === 'file')
    .map((e) => ({
      path: e.path,
      size: e.lfs?.size ?? e.size,
      sha256: e.lfs ? (e.lfs.sha256 ?? e.lfs.oid) : undefined,
      gitOid: e.lfs ? undefined : e.oid,
    }));
}

export async function pullModel(options: PullOptions): Promise<{ dir: string; files: HubFile[] }> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repo)) {
    throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, `repo must look like owner/name, got "${options.repo}"`, 'repo');
  }
  const include = options.include ?? (options.onnxFile ? includeFor(options.onnxFile) : defaultInclude);
  const files = (await listHubFiles(options)).filter((f) => include(f.path));
  if (options.onnxFile && !files.some((f) => f.path === options.onnxFile))
    throw new GenerationError(GenerationErrorCode.MODEL_NOT_FOUND, `${options.repo} has no ${options.onnxFile}`, 'repo');
  if (files.length === 0)
    throw new GenerationError(GenerationErrorCode.MODEL_NOT_FOUND, `${options.repo} has no files this engine can use`, 'repo');
  const dir = join(options.modelDir, options.repo);
  mkdirSync(dir, { recursive: true });
  // Written first, removed last: a folder with it is a pull in progress (or one that failed).
  writeFileSync(
    join(dir, PULL_MARKER),
    JSON.stringify({ repo: options.repo, revision: options.revision ?? 'main', startedAt: new Date().toISOString() }),
  );
  const overallTotal = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  for (const file of files) {
    const local = file.path === options.onnxFile ? 'onnx/model.onnx' : file.path;
    await downloadFile(options, await withHubHashes(options, file), join(dir, local), (received) =>
      options.onProgress?.({ file: file.path, received, total: file.size, overallReceived: done + received, overallTotal }),
    );
    done += file.size;
  }
  rmSync(join(dir, PULL_MARKER), { force: true });
  return { dir, files };
}

const base = (options: Pick<PullOptions, 'endpoint'>) => options.endpoint.replace(/\/$/, '');
const resolveUrl = (options: Hub, path: string) => `${base(options)}/${options.repo}/resolve/${options.revision ?? 'main'}/${path}`;

function authHeaders(token?: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A failure another attempt may fix: a 5xx, a 429, a dropped connection. */
class Transient extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The error for a final (non-retried) HTTP status. */
function finalStatus(options: Hub, status: number, what: string): GenerationError {
  if (status === 401 || status === 403) {
    return new GenerationError(
      GenerationErrorCode.DOWNLOAD_FAILED,
      `${base(options)} refused ${what} (HTTP ${status}): the access token is missing or wrong. ` +
        `${options.token ? 'HF_TOKEN is set but cannot read' : 'Set HF_TOKEN to a token that can read'} ${options.repo} ` +
        `(create one at https://huggingface.co/settings/tokens; gated models also need their terms accepted), and check the name.`,
      'HF_TOKEN',
    );
  }
  if (status === 404) {
    return new GenerationError(
      GenerationErrorCode.MODEL_NOT_FOUND,
      `${options.repo}: ${what} is not on ${base(options)} (HTTP 404)`,
      'repo',
    );
  }
  return new GenerationError(GenerationErrorCode.DOWNLOAD_FAILED, `${base(options)} answered HTTP ${status} for ${what}`);
}

/** Throws Transient for statuses worth another attempt, a GenerationError for the final ones. */
function checkStatus(options: Hub, res: Response, what: string, accept: (status: number) => boolean = (s) => s < 300): void {
  if (accept(res.status)) return;
  if (res.status >= 500 || res.status === 429) {
    const after = Number(res.headers.get('retry-after'));
    throw new Transient(`HTTP ${res.status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
  }
  throw finalStatus(options, res.status, what);
}

/** Runs `attempt` until it succeeds, retrying Transient failures and network errors with backoff. */
async function withRetries<T>(options: Hub, what: string, attempt: (n: number) => Promise<T>): Promise<T> {
  const attempts = options.retries ?? 5;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (error instanceof GenerationError) throw error;
      const reason =
        (error as Error).message + ((error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : '');
      if (n >= attempts) {
        throw new GenerationError(
          GenerationErrorCode.DOWNLOAD_FAILED,
          `${what}: ${reason} after ${attempts} attempts; run pull again to resume`,
        );
      }
      const delayMs = backoff(options.retryDelayMs ?? 1000, n, error instanceof Transient ? error.retryAfterMs : undefined);
      options.onRetry?.({ what, attempt: n, delayMs, reason });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Exponential backoff with full jitter (0..cap), never below the hub's Retry-After. */
export function backoff(baseMs: number, attempt: number, retryAfterMs?: number): number {
  const cap = Math.min(30_000, baseMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs ?? 0, Math.round(Math.random() * cap));
}

async function hubRequest(options: Hub, url: string, what: string): Promise<Response> {
  return withRetries(options, what, async () => {
    const res = await fetch(url, { headers: authHeaders(options.token) });
    checkStatus(options, res, what);
    return res;
  });
}

/**
 * Adds the hashes the hub states for the file itself: X-Linked-Etag (sha256 of an LFS file, on
 * the redirect to its storage) or ETag (the git blob id of a small file). They must agree with
 * the file list; a disagreement is INTEGRITY_MISMATCH before a byte is downloaded.
 */
async function withHubHashes(options: Hub, file: HubFile): Promise<HubFile> {
  const what = `${file.path} (HEAD)`;
  const res = await withRetries(options, what, async () => {
    const r = await fetch(resolveUrl(options, file.path), { method: 'HEAD', headers: authHeaders(options.token), redirect: 'manual' });
    checkStatus(options, r, file.path, (s) => s < 400 || s === 405);
    return r;
  });
  const etag = (name: string) => res.headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  const linked = etag('x-linked-etag');
  const plain = etag('etag');
  const sha256 = [linked, plain].find((e) => e && /^[0-9a-f]{64}$/.test(e));
  const gitOid = !linked && plain && /^[0-9a-f]{40}$/.test(plain) ? plain : undefined;
  const disagree = (kind: string, listed?: string, stated?: string) => {
    if (listed && stated && listed !== stated)
      throw new GenerationError(
        GenerationErrorCode.INTEGRITY_MISMATCH,
        `${file.path}: the hub's file list says ${kind} ${listed}, its ETag says ${stated}`,
        'repo',
      );
  };
  disagree('sha256', file.sha256, sha256);
  disagree('git blob', file.gitOid, gitOid);
  return { ...file, sha256: file.sha256 ?? sha256, gitOid: file.sha256 || sha256 ? undefined : (file.gitOid ?? gitOid) };
}

async function downloadFile(options: PullOptions, file: HubFile, target: string, progress: (received: number) => void): Promise<void> {
  if (existsSync(target) && statSync(target).size === file.size && (await matches(target, file))) {
    progress(file.size);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.incomplete`;
  await withRetries(options, file.path, async () => {
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > file.size) {
      unlinkSync(partial);
      have = 0;
    }
    if (have === file.size) return;
    const headers = { ...authHeaders(options.token), ...(have > 0 ? { range: `bytes=${have}-` } : {}) };
    const res = await fetch(resolveUrl(options, file.path), { headers });
    if (res.status === 416) {
      // The partial file does not fit the hub's copy any more: start that file over.
      unlinkSync(partial);
      throw new Transient('HTTP 416 (range not satisfiable), starting the file over');
    }
    checkStatus(options, res, file.path);
    if (!res.body) throw new Transient('empty response');
    // 200 to a Range request means the server ignored it: start over.
    const append = res.status === 206 && have > 0;
    const out = createWriteStream(partial, { flags: append ? 'a' : 'w' });
    let received = append ? have : 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        received += chunk.byteLength;
        progress(received);
      }
    } catch (error) {
      throw new Transient(`the connection dropped at ${received} of ${file.size} bytes (${(error as Error).message})`);
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    if (received < file.size) throw new Transient(`the connection dropped at ${received} of ${file.size} bytes`);
  });
  const size = existsSync(partial) ? statSync(partial).size : 0;
  if (size !== file.size) {
    unlinkSync(partial);
    throw new GenerationError(GenerationErrorCode.INTEGRITY_MISMATCH, `${file.path}: got ${size} bytes, the hub says ${file.size}`, 'repo');
  }
  if (!(await matches(partial, file))) {
    unlinkSync(partial);
    throw new GenerationError(
      GenerationErrorCode.INTEGRITY_MISMATCH,
      `${file.path}: the content does not match the hub's ${file.sha256 ? `sha256 ${file.sha256}` : `git blob id ${file.gitOid}`}`,
      'repo',
    );
  }
  renameSync(partial, target);
}

/** True when the file's content has the hash the hub states (sha256, or the git blob id). */
async function matches(path: string, file: HubFile): Promise<boolean> {
  if (file.sha256) return (await hashOf(path, 'sha256')) === file.sha256;
  if (file.gitOid) return (await hashOf(path, 'sha1', `blob ${file.size}\0`)) === file.gitOid;
  return true;
}

function hashOf(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm).update(prefix);
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
