import type { Actor } from '../auth/actor';

/**
 * The brands an actor may use: null for every brand of its workspace (members, unrestricted API
 * keys), or a brand-limited API key's allow-list. TenantDb hands this to PostgreSQL, whose
 * row-level security policies enforce it on every brand-owned table; no service filters by hand.
 */
export function brandLimitOf(actor: Actor | undefined): readonly string[] | null {
  return actor?.kind === 'apiKey' ? actor.brandIds : null;
}

/** Whether the actor is an API key limited to some brands. */
export function isBrandLimited(actor: Actor | undefined): boolean {
  return brandLimitOf(actor) !== null;
}
