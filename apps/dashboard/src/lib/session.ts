import type { SessionFieldsFragment } from '../graphql/generated';

/**
 * Who is signed in, in memory only. The access token never touches localStorage (an XSS would
 * read it there); a reload gets a new one from the httpOnly refresh cookie instead.
 */
export type Session = SessionFieldsFragment;

type Listener = (session: Session | null) => void;

const SESSION_FIELDS = `accessToken accessTokenExpiresAt user { id email name } workspace { id name slug myRole }`;

export class SessionStore {
  private current: Session | null = null;
  private listeners = new Set<Listener>();
  private refreshing: Promise<Session | null> | null = null;

  get session(): Session | null {
    return this.current;
  }

  get accessToken(): string | null {
    return this.current?.accessToken ?? null;
  }

  set(session: Session | null): void {
    this.current = session;
    for (const listener of this.listeners) listener(session);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Trades the refresh cookie for a new session. Concurrent callers share one request: the
   * refresh token is single-use, so two parallel refreshes would look like token reuse and end
   * the session.
   */
  refresh(): Promise<Session | null> {
    this.refreshing ??= (async () => {
      try {
        const response = await fetch('/graphql', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `mutation RefreshSession { refreshSession { ${SESSION_FIELDS} } }` }),
        });
        const body = (await response.json()) as { data?: { refreshSession?: Session } };
        const session = body.data?.refreshSession ?? null;
        this.set(session);
        return session;
      } catch {
        this.set(null);
        return null;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}

export const sessionStore = new SessionStore();
