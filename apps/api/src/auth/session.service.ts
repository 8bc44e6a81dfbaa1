import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/config';
import { TenantDb } from '../database/tenant-db';
import { randomToken, sha256Hex } from '../common/auth/secrets';
import { RefreshTokenEntity } from './refresh-token.entity';
import { AuthError, AuthFailure } from './auth.errors';

export interface AccessTokenPayload {
  sub: string;
  /** The workspace the token acts in; null for a user with no workspace yet. */
  wid: string | null;
  typ: 'access';
  /** Set by the signer: seconds since the epoch. */
  iat?: number;
  exp?: number;
}

export const JWT_ISSUER = 'brandwright';
export const JWT_AUDIENCE = 'brandwright-api';

export interface IssuedSession {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  userId: string;
  workspaceId: string | null;
}

/**
 * Short JWT access tokens plus opaque refresh tokens that rotate on every use. A refresh token
 * presented a second time means it was stolen or replayed: the whole family is revoked.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly db: TenantDb,
  ) {}

  async start(userId: string, workspaceId: string | null): Promise<IssuedSession> {
    return this.db.with({ userId }, (db) => this.issue(db, userId, workspaceId, randomUUID()));
  }

  /** Exchanges a refresh token for a new session in the same family. */
  async rotate(refreshToken: string, workspaceId?: string | null): Promise<IssuedSession> {
    const tokenHash = sha256Hex(refreshToken);
    const outcome = await this.db.with(
      {},
      async (db): Promise<{ error: AuthFailure; session?: never } | { error?: never; session: IssuedSession }> => {
        const row = await db.findOne(RefreshTokenEntity, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
        if (!row) return { error: AuthFailure.TOKEN_INVALID };
        if (row.revokedAt) return { error: AuthFailure.TOKEN_REUSED };
        if (row.usedAt) {
          await this.revokeFamily(db, row.familyId);
          return { error: AuthFailure.TOKEN_REUSED };
        }
        if (row.expiresAt.getTime() <= Date.now()) return { error: AuthFailure.TOKEN_EXPIRED };
        await db.update(RefreshTokenEntity, { id: row.id }, { usedAt: new Date() });
        const session = await this.issue(db, row.userId, workspaceId === undefined ? row.workspaceId : workspaceId, row.familyId);
        return { session };
      },
    );
    // The family revocation above must commit even though the caller gets an error.
    if (outcome.error) throw new AuthError(outcome.error);
    return outcome.session;
  }

  async end(refreshToken: string): Promise<void> {
    await this.db.with({}, async (db) => {
      const row = await db.findOne(RefreshTokenEntity, { where: { tokenHash: sha256Hex(refreshToken) } });
      if (row) await this.revokeFamily(db, row.familyId);
    });
  }

  verifyAccessToken(token: string): AccessTokenPayload {
    try {
      const payload = this.jwt.verify<AccessTokenPayload>(token);
      if (payload.typ !== 'access' || typeof payload.sub !== 'string') throw new AuthError(AuthFailure.TOKEN_INVALID);
      // jsonwebtoken checks exp only when present: a token without one would never expire.
      if (!Number.isInteger(payload.exp) || !Number.isInteger(payload.iat)) throw new AuthError(AuthFailure.TOKEN_INVALID);
      if (payload.exp! - payload.iat! > this.config.values.JWT_ACCESS_TTL_SECONDS) throw new AuthError(AuthFailure.TOKEN_INVALID);
      return payload;
    } catch (err) {
      if (err instanceof AuthError) throw err;
      if ((err as Error).name === 'TokenExpiredError') throw new AuthError(AuthFailure.TOKEN_EXPIRED);
      throw new AuthError(AuthFailure.TOKEN_INVALID);
    }
  }

  private async issue(db: EntityManager, userId: string, workspaceId: string | null, familyId: string): Promise<IssuedSession> {
    const { JWT_ACCESS_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } = this.config.values;
    const payload: AccessTokenPayload = { sub: userId, wid: workspaceId, typ: 'access' };
    const accessToken = await this.jwt.signAsync(payload, { expiresIn: JWT_ACCESS_TTL_SECONDS });
    const refreshToken = `bwr_${randomToken(48)}`;
    const refreshTokenExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000);
    await db.insert(RefreshTokenEntity, {
      userId,
      familyId,
      workspaceId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: refreshTokenExpiresAt,
    });
    return {
      accessToken,
      accessTokenExpiresAt: new Date(Date.now() + JWT_ACCESS_TTL_SECONDS * 1000),
      refreshToken,
      refreshTokenExpiresAt,
      userId,
      workspaceId,
    };
  }

  private async revokeFamily(db: EntityManager, familyId: string): Promise<void> {
    await db
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
  }
}
