/**
 * `models pull`: downloads a model from a Hugging Face-compatible hub into the model store.
 * The file list with sizes and LFS sha256 comes from /api/models/<repo>/tree/<revision>; each file
 * goes to `<path>.incomplete` first and resumes with an HTTP Range request when the connection
 * breaks (or when a previous pull was interrupted), then is checked (size, sha256) before it takes
 * its real name, so a half-written or tampered file is never loaded as a model.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content (LFS files only; small git files have none). */
  sha256?: string;
}

export interface PullProgress {
  file: string;
  received: number;
  total: number;
  /** Bytes of every file together. */
  overallReceived: number;
  overallTotal: number;
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
  onProgress?: (progress: PullProgress) => void;
  /** Attempts per file when the connection breaks (default 5). */
  retries?: number;
}

export const defaultInclude = (path: string): boolean =>
  /^[^/]+\.(json|txt|model)$/.test(path) || /^onnx\/model\.onnx(_data(_\d+)?)?$/.test(path);

export async function listHubFiles(options: Pick<PullOptions, 'repo' | 'endpoint' | 'token' | 'revision'>): Promise<HubFile[]> {
  const url = `${options.endpoint.replace(/\/$/, '')}/api/models/${options.repo}/tree/${options.revision ?? 'main'}?recursive=true`;
  const res = await fetch(url, { headers: authHeaders(options.token) }).catch((error: Error) => {
    throw new GenerationError(GenerationErrorCode.DOWNLOAD_FAILED, `cannot reach ${url}: ${error.message}`);
  });
  if (res.status === 404 || res.status === 401) {
    throw new GenerationError(
      GenerationErrorCode.MODEL_NOT_FOUND,
      `${options.repo} is not on ${options.endpoint} (HTTP ${res.status})`,
      'repo',
    );
  }
  if (!res.ok) throw new GenerationError(GenerationErrorCode.DOWNLOAD_FAILED, `${url} answered HTTP ${res.status}`);
  const entries = (await res.json()) as {
    type: string;
    path: string;
    size: number;
    lfs?: { oid?: string; sha256?: string; size?: number };
  }[];
  return entries
    .filter((e) => e.type === 'file')
    .map((e) => ({ path: e.path, size: e.lfs?.size ?? e.size, sha256: e.lfs?.sha256 ?? e.lfs?.oid }));
}

export async function pullModel(options: PullOptions): Promise<{ dir: string; files: HubFile[] }> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repo)) {
    throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, `repo must look like owner/name, got "${options.repo}"`, 'repo');
  }
  const files = (await listHubFiles(options)).filter((f) => (options.include ?? defaultInclude)(f.path));
  if (files.length === 0)
    throw new GenerationError(GenerationErrorCode.MODEL_NOT_FOUND, `${options.repo} has no files this engine can use`, 'repo');
  const dir = join(options.modelDir, options.repo);
  const overallTotal = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  for (const file of files) {
    await downloadFile(options, file, join(dir, file.path), (received) =>
      options.onProgress?.({ file: file.path, received, total: file.size, overallReceived: done + received, overallTotal }),
    );
    done += file.size;
  }
  return { dir, files };
}

function authHeaders(token?: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function downloadFile(options: PullOptions, file: HubFile, target: string, progress: (received: number) => void): Promise<void> {
  if (existsSync(target) && statSync(target).size === file.size && (!file.sha256 || (await sha256Of(target)) === file.sha256)) {
    progress(file.size);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.incomplete`;
  const url = `${options.endpoint.replace(/\/$/, '')}/${options.repo}/resolve/${options.revision ?? 'main'}/${file.path}`;
  const attempts = options.retries ?? 5;
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > file.size) unlinkSync(partial);
    if (have === file.size) break;
    try {
      const headers = { ...authHeaders(options.token), ...(have > 0 ? { range: `bytes=${have}-` } : {}) };
      const res = await fetch(url, { headers });
      if (res.status === 404)
        throw new GenerationError(GenerationErrorCode.MODEL_NOT_FOUND, `${file.path} is missing from ${options.repo}`, 'repo');
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
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
      } finally {
        await new Promise<void>((resolve) => out.end(resolve));
      }
      lastError = null;
    } catch (error) {
      if (error instanceof GenerationError) throw error;
      lastError = error as Error;
    }
  }
  const size = existsSync(partial) ? statSync(partial).size : 0;
  if (size !== file.size) {
    throw new GenerationError(
      GenerationErrorCode.DOWNLOAD_FAILED,
      `${file.path}: got ${size} of ${file.size} bytes after ${attempts} attempts${lastError ? ` (${lastError.message})` : ''}; run pull again to resume`,
    );
  }
  if (file.sha256) {
    const actual = await sha256Of(partial);
    if (actual !== file.sha256) {
      unlinkSync(partial);
      throw new GenerationError(
        GenerationErrorCode.INTEGRITY_MISMATCH,
        `${file.path}: sha256 is ${actual}, the hub says ${file.sha256}`,
        'repo',
      );
    }
  }
  renameSync(partial, target);
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
