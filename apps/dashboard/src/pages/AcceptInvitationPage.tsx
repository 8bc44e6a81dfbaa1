import { useState } from 'react';
import { useClient } from 'urql';
import { AcceptInvitationDocument, SwitchWorkspaceDocument } from '../graphql/generated';
import { describeError } from '../lib/errors';
import { Link, navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { useSession } from '../lib/use-session';
import { ErrorNotice } from '../components/Notice';

/** The link in an invitation: PUBLIC_URL/accept-invitation?token=… */
export function AcceptInvitationPage({ signedIn }: { signedIn: boolean }) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const here = encodeURIComponent(`/accept-invitation?token=${encodeURIComponent(token)}`);
  if (!signedIn) {
    return (
      <main className="auth" id="main">
        <h1>Join a workspace</h1>
        <p>
          You have been invited to a Brandwright workspace. Log in or sign up with the email address the invitation was sent to, then accept
          it.
        </p>
        <p className="actions">
          <Link className="button" href={`/login?next=${here}`}>
            Log in
          </Link>
          <Link className="button secondary" href={`/signup?next=${here}`}>
            Sign up
          </Link>
        </p>
      </main>
    );
  }
  return <Accept token={token} />;
}

function Accept({ token }: { token: string }) {
  const client = useClient();
  const session = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const accept = async () => {
    setBusy(true);
    const accepted = await client.mutation(AcceptInvitationDocument, { token }).toPromise();
    if (!accepted.data) {
      setBusy(false);
      return setProblem(describeError(accepted.error));
    }
    const switched = await client.mutation(SwitchWorkspaceDocument, { workspaceId: accepted.data.acceptInvitation.id }).toPromise();
    setBusy(false);
    if (!switched.data) return setProblem(describeError(switched.error));
    sessionStore.set(switched.data.switchWorkspace);
    navigate('/brands', true);
  };

  return (
    <section>
      <h1>Join a workspace</h1>
      {token ? (
        <>
          <p>Accept the invitation sent to {session?.user.email} to join its workspace.</p>
          <button type="button" onClick={accept} disabled={busy}>
            Accept invitation
          </button>
        </>
      ) : (
        <p>This link has no invitation token. Open the link from the invitation again, or ask for a new invitation.</p>
      )}
      <ErrorNotice message={problem} />
    </section>
  );
}
