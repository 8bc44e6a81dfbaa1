import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  ChangeMemberRoleDocument,
  CreateWorkspaceDocument,
  InvitationsDocument,
  InviteMemberDocument,
  RemoveMemberDocument,
  RevokeInvitationDocument,
  RoleValues,
  SwitchWorkspaceDocument,
  TeamDocument,
  type Role,
} from '../graphql/generated';
import { INVITATION_LIST, MEMBER_LIST } from '../lib/typenames';
import { describeError } from '../lib/errors';
import { navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { hasRole, useSession } from '../lib/use-session';
import { TextField } from '../components/Field';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { TableRegion } from '../components/TableRegion';

const ROLE_HELP: Record<Role, string> = {
  OWNER: 'everything, including roles and billing',
  ADMIN: 'members, API keys, billing',
  EDITOR: 'brands, campaigns, generation',
  VIEWER: 'read only',
};

export function TeamPage() {
  const session = useSession();
  const isOwner = hasRole(session, 'OWNER');
  const isAdmin = hasRole(session, 'ADMIN');
  const [{ data, error }] = useQuery({ query: TeamDocument, context: MEMBER_LIST });
  const [changeState, changeRole] = useMutation(ChangeMemberRoleDocument);
  const [removeState, removeMember] = useMutation(RemoveMemberDocument);

  return (
    <section>
      <h1>Team</h1>
      <p className="muted">Workspace: {session?.workspace?.name}</p>
      <ErrorNotice message={describeError(error ?? changeState.error ?? removeState.error)} />
      {!data && !error && <Loading what="members" />}
      {data && (
        <TableRegion label="Members">
          <table>
            <caption>Members</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                {isOwner && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => {
                const self = m.user.id === session?.user.id;
                return (
                  <tr key={m.id}>
                    <td>{m.user.name}</td>
                    <td>{m.user.email}</td>
                    <td>
                      {isOwner && !self ? (
                        <select
                          aria-label={`Role of ${m.user.name}`}
                          value={m.role}
                          onChange={(e) => changeRole({ input: { memberId: m.id, role: e.target.value as Role } })}
                        >
                          {RoleValues.map((r) => (
                            <option key={r} value={r}>
                              {r.charAt(0) + r.slice(1).toLowerCase()}
                            </option>
                          ))}
                        </select>
                      ) : (
                        m.role.charAt(0) + m.role.slice(1).toLowerCase()
                      )}
                    </td>
                    {isOwner && (
                      <td>
                        {!self && (
                          <button
                            type="button"
                            className="danger"
                            onClick={() => confirm(`Remove ${m.user.name} from this workspace?`) && removeMember({ memberId: m.id })}
                          >
                            Remove <span className="visually-hidden">{m.user.name}</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableRegion>
      )}
      {isAdmin && <Invitations />}
      <NewWorkspace />
    </section>
  );
}

function Invitations() {
  const [{ data, error }] = useQuery({ query: InvitationsDocument, context: INVITATION_LIST });
  const [{ fetching, error: inviteError }, invite] = useMutation(InviteMemberDocument);
  const [, revoke] = useMutation(RevokeInvitationDocument);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('EDITOR');
  const [link, setLink] = useState<string | null>(null);
  const open = (data?.invitations ?? []).filter((i) => !i.acceptedAt && !i.revokedAt);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await invite({ input: { email, role } });
    if (result.data) {
      setLink(result.data.inviteMember.acceptUrl);
      setEmail('');
    }
  };

  return (
    <section className="panel" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a member</h2>
      <form onSubmit={submit} className="inline-form" aria-label="Invite a member">
        <TextField label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="invite-role-hint">
            {RoleValues.filter((r) => r !== 'OWNER').map((r) => (
              <option key={r} value={r}>
                {r.charAt(0) + r.slice(1).toLowerCase()}: {ROLE_HELP[r]}
              </option>
            ))}
          </select>
          <small id="invite-role-hint" className="hint">
            What they may do. You can change it later in the members table.
          </small>
        </div>
        <button type="submit" disabled={fetching}>
          Send invitation
        </button>
      </form>
      <ErrorNotice message={describeError(inviteError ?? error)} />
      {link && (
        <SuccessNotice>
          Invitation created. Send this link to them; it is shown only now: <code className="secret">{link}</code>{' '}
          <CopyButton text={link} label="Copy link" />
        </SuccessNotice>
      )}
      {open.length > 0 && (
        <ul className="plain" aria-label="Open invitations">
          {open.map((i) => (
            <li key={i.id}>
              {i.email} as {i.role.toLowerCase()}, expires {new Date(i.expiresAt).toLocaleDateString()}{' '}
              <button type="button" className="secondary" onClick={() => revoke({ id: i.id })}>
                Revoke <span className="visually-hidden">invitation for {i.email}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewWorkspace() {
  const [{ fetching, error }, create] = useMutation(CreateWorkspaceDocument);
  const [, switchTo] = useMutation(SwitchWorkspaceDocument);
  const [name, setName] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create({ input: { name } });
    if (!created.data) return;
    const switched = await switchTo({ workspaceId: created.data.createWorkspace.id });
    if (switched.data) {
      sessionStore.set(switched.data.switchWorkspace);
      navigate('/brands');
    }
  };
  return (
    <section className="panel" aria-labelledby="new-ws-heading">
      <h2 id="new-ws-heading">New workspace</h2>
      <p className="muted">
        A workspace has its own brands, members, API keys and bill. Agencies usually need one; a brand per client lives inside it.
      </p>
      <form onSubmit={submit} className="inline-form" aria-label="New workspace">
        <TextField label="Workspace name" required value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={fetching}>
          Create and switch
        </button>
      </form>
      <ErrorNotice message={describeError(error)} />
    </section>
  );
}
