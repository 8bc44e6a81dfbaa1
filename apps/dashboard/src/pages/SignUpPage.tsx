import { useState, type FormEvent } from 'react';
import { Provider, useMutation } from 'urql';
import { SignUpDocument } from '../graphql/generated';
import { describeError, errorField } from '../lib/errors';
import { Link, navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { anonymousClient } from '../lib/anonymous-client';
import { TextField } from '../components/Field';
import { ErrorNotice } from '../components/Notice';

export function SignUpPage() {
  return (
    <Provider value={anonymousClient}>
      <SignUpForm />
    </Provider>
  );
}

function SignUpForm() {
  const [{ fetching, error }, signUp] = useMutation(SignUpDocument);
  const [form, setForm] = useState({ name: '', email: '', password: '', workspaceName: '' });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const field = errorField(error);
  const next = new URLSearchParams(location.search).get('next');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await signUp({ input: { ...form, workspaceName: form.workspaceName || null } });
    if (result.data) {
      sessionStore.set(result.data.signUp);
      navigate(next ?? '/brands', true);
    }
  };

  return (
    <main className="auth" id="main">
      <h1>Create your Brandwright account</h1>
      <form onSubmit={submit} aria-label="Sign up">
        <TextField
          label="Your name"
          autoComplete="name"
          required
          value={form.name}
          onChange={set('name')}
          invalid={field === 'name'}
          errorId="sign-up-error"
        />
        <TextField
          label="Work email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={set('email')}
          invalid={field === 'email'}
          errorId="sign-up-error"
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={form.password}
          onChange={set('password')}
          invalid={field === 'password'}
          errorId="sign-up-error"
          hint="At least 10 characters. A short sentence is easy to remember."
        />
        <TextField
          label="Workspace name"
          autoComplete="organization"
          value={form.workspaceName}
          onChange={set('workspaceName')}
          hint="Your company or agency. You can add more workspaces later."
        />
        <ErrorNotice message={describeError(error)} id="sign-up-error" />
        <button type="submit" disabled={fetching}>
          {fetching ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link href={`/login${location.search}`}>Log in</Link>
      </p>
    </main>
  );
}
