import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../common/auth/actor';
import { looksLikeApiKey } from '../../api-keys/api-key-format';
import { WorkspacesService } from '../../workspaces/workspaces.service';
import { SessionService } from '../session.service';

/**
 * `Authorization: Bearer <JWT access token>`. The member's role is read on every request, so a
 * role change or a removal takes effect at once, not when the token expires.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly sessions: SessionService,
    private readonly workspaces: WorkspacesService,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Actor | false> {
    const token = bearerToken(req);
    if (!token || looksLikeApiKey(token)) return false;
    const payload = this.sessions.verifyAccessToken(token);
    const role = payload.wid ? await this.workspaces.roleOf(payload.sub, payload.wid) : null;
    return { kind: 'user', userId: payload.sub, workspaceId: role ? payload.wid : null, role };
  }
}

export function bearerToken(req: { headers: Record<string, unknown> }): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}
