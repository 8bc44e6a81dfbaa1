import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ApiKeysDocument, ApiKeyScopeValues, CreateApiKeyDocument, RevokeApiKeyDocument, type ApiKeyScope } from '../graphql/generated';
import { API_KEY_LIST } from '../lib/typenames';
import { describeError } from '../lib/errors';
import { hasRole, useSession } from '../lib/use-session';
import { TextField } from '../components/Field';
import { CopyButton } from '../components/CopyButton';
import { EmptyState, ErrorNotice, Loading } from '../components/Notice';
import { Webhooks } from '../components/Webhooks';
import { TableRegion } from '../components/TableRegion';

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  READ: 'read brands, campaigns, jobs and usage',
  GENERATE: 'start and cancel generation jobs',
  MANAGE: 'change brands, campaigns and webhooks',
};

export function DevelopersPage() {
  const session = useSession();
  const isAdmin = hasRole(session, 'ADMIN');
  return (
    <section>
      <h1>Developers</h1>
      <p>
        Call the GraphQL API at <code>/graphql</code> with <code>Authorization: Bearer &lt;API key&gt;</code>. Try queries in the{' '}
        <a href="/graphiql" target="_blank" rel="noreferrer">
          GraphQL explorer
        </a>{' '}
        (served outside production).
      </p>
      <ApiKeys canManage={hasRole(session, 'EDITOR')} />
      {isAdmin && <Webhooks />}
    </section>
  );
}

function ApiKeys({ canManage }: { canManage: boolean }) {
  const [{ data, error }] = useQuery({ query: ApiKeysDocument, context: API_KEY_LIST });
  const [created, createKey] = useMutation(CreateApiKeyDocument);
  const [revoked, revokeKey] = useMutation(RevokeApiKeyDocument);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['READ', 'GENERATE']);
  const [secret, setSecret] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createKey({ input: { name, scopes } });
    if (result.data) {
      setSecret(result.data.createApiKey.secret);
      setName('');
    }
  };
  const keys = data?.apiKeys ?? [];

  return (
    <section className="panel" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      {canManage && (
        <form onSubmit={submit} aria-label="Create an API key">
          <TextField
            label="Key name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            hint="Where it is used, e.g. “Agency CMS production”."
          />
          <fieldset>
            <legend>Scopes</legend>
            {ApiKeyScopeValues.map((scope) => (
              <label key={scope} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                />
                {scope.toLowerCase()}: {SCOPE_HELP[scope]}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={created.fetching || scopes.length === 0}>
            Create API key
          </button>
        </form>
      )}
      <ErrorNotice message={describeError(error ?? created.error ?? revoked.error)} />
      {secret && (
        <div className="notice success" role="status">
          <p>
            <strong>Copy this key now.</strong> It is shown once and cannot be read again; if you lose it, revoke it and create another.
          </p>
          <code className="secret" aria-label="Your new API key">
            {secret}
          </code>{' '}
          <CopyButton text={secret} label="Copy key" />{' '}
          <button type="button" className="secondary" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      {!data && !error && <Loading what="API keys" />}
      {data && keys.length === 0 && (
        <EmptyState title="No API keys yet">
          <p>Create a key to call Brandwright from your own tools; give it only the scopes it needs.</p>
        </EmptyState>
      )}
      {keys.length > 0 && (
        <TableRegion label="API keys">
          <table>
            <caption className="visually-hidden">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>bw_{k.prefix}_…</code>
                  </td>
                  <td>{k.scopes.map((s) => s.toLowerCase()).join(', ')}</td>
                  <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'Never'}</td>
                  <td>
                    {k.revokedAt ? (
                      `Revoked ${new Date(k.revokedAt).toLocaleDateString()}`
                    ) : canManage ? (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => confirm(`Revoke ${k.name}? Calls using it fail at once.`) && revokeKey({ id: k.id })}
                      >
                        Revoke <span className="visually-hidden">{k.name}</span>
                      </button>
                    ) : (
                      'Active'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
