import { useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { MyWorkspacesDocument, SwitchWorkspaceDocument } from '../graphql/generated';
import { describeError } from '../lib/errors';
import { navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { useSession } from '../lib/use-session';

export function WorkspaceSwitcher() {
  const id = useId();
  const session = useSession();
  const [{ data }] = useQuery({ query: MyWorkspacesDocument });
  const [{ fetching, error }, switchWorkspace] = useMutation(SwitchWorkspaceDocument);
  const [problem, setProblem] = useState<string | null>(null);

  const change = async (workspaceId: string) => {
    const result = await switchWorkspace({ workspaceId });
    if (result.data) {
      sessionStore.set(result.data.switchWorkspace);
      navigate('/brands');
    } else setProblem(describeError(result.error));
  };

  const workspaces = data?.myWorkspaces ?? (session?.workspace ? [session.workspace] : []);
  return (
    <div className="switcher">
      <label htmlFor={id}>Workspace</label>
      <select id={id} value={session?.workspace?.id ?? ''} disabled={fetching} onChange={(e) => change(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
      {(problem || error) && (
        <span role="alert" className="inline-error">
          {problem ?? describeError(error)}
        </span>
      )}
    </div>
  );
}
