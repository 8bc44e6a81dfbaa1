import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { UsersService } from '../../users/users.service';
import { AuthError, AuthFailure } from '../auth.errors';
import type { UserEntity } from '../../users/user.entity';

/** Email + password (argon2id). Used by the logIn mutation through LocalAuthGuard. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'email', passwordField: 'password' });
  }

  async validate(email: string, password: string): Promise<UserEntity> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) throw new AuthError(AuthFailure.INVALID_CREDENTIALS);
    return user;
  }
}
