import { useEffect, useState } from 'react';
import { sessionStore, type Session } from './session';

export function useSession(): Session | null {
  const [session, setSession] = useState(sessionStore.session);
  useEffect(() => sessionStore.subscribe(setSession), []);
  return session;
}

/** Roles from lowest to highest, as the api ranks them. */
const RANK = { VIEWER: 0, EDITOR: 1, ADMIN: 2, OWNER: 3 } as const;

export function hasRole(session: Session | null, at: keyof typeof RANK): boolean {
  const role = session?.workspace?.myRole;
  return !!role && RANK[role] >= RANK[at];
}
