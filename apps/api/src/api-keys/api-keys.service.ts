import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TenantDb } from '../database/tenant-db';
import { ApiKeyScope, type Actor, Role, scopesAllowedFor } from '../common/auth/actor';
import { sameDigest } from '../common/auth/secrets';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { AuthError, AuthFailure } from '../auth/auth.errors';
import { MembershipEntity } from '../workspaces/membership.entity';
import { BrandEntity } from '../brands/brand.entity';
import { ApiKeyEntity } from './api-key.entity';
import { mintApiKey, parseApiKey } from './api-key-format';

export interface CreateApiKeyCommand {
  name: string;
  scopes: ApiKeyScope[];
  brandIds: string[] | null;
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeysService {
  constructor(private readonly db: TenantDb) {}

  /** Creates a key; the plaintext is returned once and never stored. */
  async create(actor: Actor, command: CreateApiKeyCommand): Promise<{ key: ApiKeyEntity; plaintext: string }> {
    if (actor.kind !== 'user' || !actor.role) throw new ForbiddenError('Only a signed-in member can create API keys.');
    const allowed = scopesAllowedFor(actor.role);
    const excess = command.scopes.filter((s) => !allowed.includes(s));
    if (excess.length) throw new ForbiddenError(`A ${actor.role} cannot grant the scopes ${excess.join(', ')}.`);
    if (command.expiresAt && command.expiresAt.getTime() <= Date.now()) {
      throw new BadUserInputError('expiresAt', 'must be in the future');
    }
    const minted = mintApiKey();
    const key = await this.db.tx(async (db) => {
      if (command.brandIds?.length) {
        const found = await db.count(BrandEntity, { where: { id: In(command.brandIds) } });
        if (found !== new Set(command.brandIds).size) throw new NotFoundError('Brand');
      }
      const row = db.create(ApiKeyEntity, {
        workspaceId: actor.workspaceId!,
        createdBy: actor.userId,
        name: command.name,
        prefix: minted.prefix,
        secretHash: minted.secretHash,
        scopes: [...new Set(command.scopes)],
        brandIds: command.brandIds?.length ? [...new Set(command.brandIds)] : null,
        expiresAt: command.expiresAt,
      });
      return db.save(row);
    });
    return { key, plaintext: minted.plaintext };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.db.tx((db) => db.find(ApiKeyEntity, { order: { createdAt: 'DESC' } }));
  }

  async revoke(id: string): Promise<ApiKeyEntity> {
    return this.db.tx(async (db) => {
      const key = await db.findOne(ApiKeyEntity, { where: { id } });
      if (!key) throw new NotFoundError('API key', id);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await db.update(ApiKeyEntity, { id }, { revokedAt: key.revokedAt });
      }
      return key;
    });
  }

  /**
   * Turns a presented key into an actor. The key's scopes are narrowed to what its creator's
   * current role allows, so a key never grants more than the person who made it now has.
   */
  async authenticate(presented: string): Promise<Actor> {
    const parsed = parseApiKey(presented);
    if (!parsed) throw new AuthError(AuthFailure.KEY_INVALID);
    const found = await this.db.with({ apiKeyPrefix: parsed.prefix }, (db) =>
      db.findOne(ApiKeyEntity, {
        where: { prefix: parsed.prefix },
        select: {
          id: true,
          workspaceId: true,
          createdBy: true,
          secretHash: true,
          scopes: true,
          brandIds: true,
          revokedAt: true,
          expiresAt: true,
          lastUsedAt: true,
          prefix: true,
          name: true,
          createdAt: true,
        },
      }),
    );
    if (!found || !sameDigest(found.secretHash, parsed.secretHash)) throw new AuthError(AuthFailure.KEY_INVALID);
    if (found.revokedAt) throw new AuthError(AuthFailure.KEY_REVOKED);
    if (found.expiresAt && found.expiresAt.getTime() <= Date.now()) throw new AuthError(AuthFailure.KEY_EXPIRED);

    const creatorRole = await this.db.with({ workspaceId: found.workspaceId }, async (db) => {
      // last-used time at minute resolution: one write per key per minute, not per request.
      if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
        await db.update(ApiKeyEntity, { id: found.id }, { lastUsedAt: new Date() });
      }
      if (!found.createdBy) return Role.ADMIN; // made by the system (demo seed), not by a person
      const membership = await db.findOne(MembershipEntity, { where: { userId: found.createdBy, workspaceId: found.workspaceId } });
      return membership?.role ?? null;
    });
    if (!creatorRole) throw new AuthError(AuthFailure.NOT_A_MEMBER);
    const allowed = scopesAllowedFor(creatorRole);
    return {
      kind: 'apiKey',
      apiKeyId: found.id,
      workspaceId: found.workspaceId,
      scopes: found.scopes.filter((s) => allowed.includes(s)),
      brandIds: found.brandIds,
      createdBy: found.createdBy,
    };
  }
}
