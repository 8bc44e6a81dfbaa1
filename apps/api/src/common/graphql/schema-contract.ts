import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema as parseSdl } from 'graphql';

/**
 * Breaking changes a release means to make, each with why: a change listed here does not fail
 * the schema check. Entries are the checker's own messages ("Field 'Brand.slug' was removed from
 * object type 'Brand'"); stale ones do no harm once the change is committed.
 */
export const INTENDED_BREAKING_CHANGES_FILE = 'apps/api/schema-breaking-changes.json';

export interface IntendedChange {
  change: string;
  why: string;
}

/** The breaking changes from `before` to `after` (SDL) that `intended` does not list. */
export async function unintendedBreakingChanges(before: string, after: string, intended: IntendedChange[]): Promise<string[]> {
  const changes = await diff(parseSdl(before), parseSdl(after));
  const allowed = new Set(intended.map((c) => c.change));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking && !allowed.has(c.message)).map((c) => c.message);
}

export function readIntendedChanges(file = INTENDED_BREAKING_CHANGES_FILE): IntendedChange[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((c) => typeof c?.change === 'string' && typeof c?.why === 'string')) {
    throw new Error(`${file} must be a list of { "change": "<the checker's message>", "why": "<reason>" }`);
  }
  return parsed as IntendedChange[];
}

/** A file as committed at `revision` (HEAD, HEAD~1), or null where git or that revision lacks it. */
export function committedFile(path: string, revision = 'HEAD'): string | null {
  try {
    return execFileSync('git', ['show', `${revision}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}
