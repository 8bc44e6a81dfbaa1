import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/config';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { UsersModule } from '../users/users.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { AuthResolver } from './auth.resolver';
import { JWT_AUDIENCE, JWT_ISSUER, SessionService } from './session.service';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';
import { LocalStrategy } from './strategies/local.strategy';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to parse it
        // as a public key on every verify, which was an eighth of the api's CPU under load.
        secret: createSecretKey(Buffer.from(config.values.JWT_SECRET)),
        // Pinned: one algorithm, our issuer and audience. exp and iat are required on top of
        // this by SessionService.verifyAccessToken (jsonwebtoken accepts a token without them).
        signOptions: { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
        verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
      }),
    }),
    UsersModule,
    WorkspacesModule,
    ApiKeysModule,
  ],
  providers: [SessionService, LocalStrategy, JwtStrategy, ApiKeyStrategy, AuthResolver],
  exports: [SessionService],
})
export class AuthModule {}
