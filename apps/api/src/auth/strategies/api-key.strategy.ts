import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../common/auth/actor';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { looksLikeApiKey } from '../../api-keys/api-key-format';
import { bearerToken } from './jwt.strategy';

/** `Authorization: Bearer bw_<prefix>_<secret>`: an agency's API key. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Actor | false> {
    const token = bearerToken(req);
    if (!token || !looksLikeApiKey(token)) return false;
    return this.apiKeys.authenticate(token);
  }
}
