import { AppError, ErrorCode } from '../common/errors/app-error';

export enum AuthFailure {
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  TOKEN_INVALID = 'TOKEN_INVALID',
  TOKEN_REUSED = 'TOKEN_REUSED',
  KEY_INVALID = 'KEY_INVALID',
  KEY_REVOKED = 'KEY_REVOKED',
  KEY_EXPIRED = 'KEY_EXPIRED',
  NOT_A_MEMBER = 'NOT_A_MEMBER',
}

const messages: Record<AuthFailure, string> = {
  INVALID_CREDENTIALS: 'The email or password is wrong.',
  TOKEN_EXPIRED: 'The token has expired; refresh the session or sign in again.',
  TOKEN_INVALID: 'The token is malformed or not ours; sign in again.',
  TOKEN_REUSED: 'This refresh token was already used; the session is revoked. Sign in again.',
  KEY_INVALID: 'The API key is malformed or unknown.',
  KEY_REVOKED: 'The API key has been revoked.',
  KEY_EXPIRED: 'The API key has expired.',
  NOT_A_MEMBER: 'The key’s creator is no longer a member of its workspace.',
};

/** Authentication failed; `reason` tells the client which way (all map to UNAUTHENTICATED). */
export class AuthError extends AppError {
  constructor(readonly reason: AuthFailure) {
    super(ErrorCode.UNAUTHENTICATED, messages[reason], { reason });
  }
}
