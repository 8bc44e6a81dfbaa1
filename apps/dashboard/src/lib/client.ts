import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';
import type { SessionStore } from './session';

/**
 * One urql client per signed-in workspace: switching workspace makes a new client, so no cached
 * row of one workspace can show in another.
 */
export function createGraphqlClient(sessions: SessionStore): Client {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    connectionParams: async () => ({ authorization: `Bearer ${sessions.accessToken ?? ''}` }),
  });
  return new Client({
    url: '/graphql',
    fetch: (input, init) => authorizedFetch(sessions, input, init),
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}

/**
 * Adds the bearer token, and when the api answers UNAUTHENTICATED (the 15-minute access token
 * ran out) refreshes once from the cookie and replays the request.
 */
export async function authorizedFetch(sessions: SessionStore, input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = (token: string | null) => {
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers, credentials: 'same-origin' });
  };
  const first = await send(sessions.accessToken);
  // Only GraphQL answers are read here; a file (a logo, an image) passes through untouched.
  const isJson = first.headers.get('content-type')?.includes('json');
  if (!isJson) {
    if (first.status === 401 && sessions.accessToken) {
      const renewed = await sessions.refresh();
      if (renewed) return send(renewed.accessToken);
    }
    return first;
  }
  const text = await first.text();
  if (sessions.accessToken && text.includes('"UNAUTHENTICATED"')) {
    const renewed = await sessions.refresh();
    if (renewed) return send(renewed.accessToken);
  }
  return new Response(text, { status: first.status, statusText: first.statusText, headers: first.headers });
}

/** GETs a REST resource of the api (a logo, an asset) with the bearer token, as a Blob. */
export async function fetchBlob(sessions: SessionStore, url: string): Promise<Blob> {
  const response = await authorizedFetch(sessions, url, { method: 'GET' });
  if (!response.ok) throw new Error(`The download failed (HTTP ${response.status}). Reload the page and try again.`);
  return response.blob();
}
