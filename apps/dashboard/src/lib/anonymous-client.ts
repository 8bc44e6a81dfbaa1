import { Client, fetchExchange } from 'urql';

/** For the signed-out pages: no cache, no token. The refresh cookie comes back on sign-in. */
export const anonymousClient = new Client({
  url: '/graphql',
  fetchOptions: { credentials: 'same-origin' },
  exchanges: [fetchExchange],
});
