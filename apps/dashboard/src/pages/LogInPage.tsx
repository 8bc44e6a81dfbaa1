import { useState, type FormEvent } from 'react';
import { Provider, useMutation } from 'urql';
import { LogInDocument } from '../graphql/generated';
import { describeError } from '../lib/errors';
import { Link, navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { anonymousClient } from '../lib/anonymous-client';
import { TextField } from '../components/Field';
import { ErrorNotice } from '../components/Notice';

export function LogInPage() {
  return (
    <Provider value={anonymousClient}>
      <LogInForm />
    </Provider>
  );
}

function LogInForm() {
  const [{ fetching, error }, logIn] = useMutation(LogInDocument);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = new URLSearchParams(location.search).get('next');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await logIn({ input: { email, password } });
    if (result.data) {
      sessionStore.set(result.data.logIn);
      navigate(next ?? '/brands', true);
    }
  };

  return (
    <main className="auth" id="main">
      <h1>Log in to Brandwright</h1>
      <form onSubmit={submit} aria-label="Log in">
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorNotice
          message={
            error?.graphQLErrors[0]?.extensions?.code === 'UNAUTHENTICATED'
              ? 'That email and password do not match an account. Check both, or sign up.'
              : describeError(error)
          }
        />
        <button type="submit" disabled={fetching}>
          {fetching ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here? <Link href={`/signup${location.search}`}>Create an account</Link>
      </p>
    </main>
  );
}
