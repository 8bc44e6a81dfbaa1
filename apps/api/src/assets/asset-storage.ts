/** Where asset files live. Keys look like `<workspaceId>/<jobId>/<variant>/<format>.png`. */
export interface AssetStorage {
  /** Writes the whole file; writing the same key again replaces it (a re-run job rewrites its files). */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The file, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Keys of the files last written before `cutoff` (the orphan sweep's candidates). */
  listOlderThan(cutoff: Date): AsyncIterable<string>;
  /** Removes the file; a missing one is not an error. */
  delete(key: string): Promise<void>;
}

export const ASSET_STORAGE = Symbol('ASSET_STORAGE');
