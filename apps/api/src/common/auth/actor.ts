import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  EDITOR = 'EDITOR',
  VIEWER = 'VIEWER',
}
registerEnumType(Role, { name: 'Role', description: 'A member’s role in a workspace, OWNER highest.' });

export enum ApiKeyScope {
  READ = 'read',
  GENERATE = 'generate',
  MANAGE = 'manage',
}
registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'read: queries; generate: generation jobs; manage: brands, campaigns, webhooks.',
});

const rank: Record<Role, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2, OWNER: 3 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return rank[role] >= rank[minimum];
}

/** The scopes a member of this role may hold, and so may give an API key. */
export function scopesAllowedFor(role: Role): ApiKeyScope[] {
  if (roleAtLeast(role, Role.ADMIN)) return [ApiKeyScope.READ, ApiKeyScope.GENERATE, ApiKeyScope.MANAGE];
  if (roleAtLeast(role, Role.EDITOR)) return [ApiKeyScope.READ, ApiKeyScope.GENERATE];
  return [ApiKeyScope.READ];
}

/** Who is calling: a signed-in member of a workspace, or an API key of one. */
export type Actor =
  | { kind: 'user'; userId: string; workspaceId: string | null; role: Role | null }
  | {
      kind: 'apiKey';
      apiKeyId: string;
      workspaceId: string;
      /** The key's scopes, already narrowed to what its creator's current role allows. */
      scopes: ApiKeyScope[];
      /** null: every brand of the workspace. */
      brandIds: string[] | null;
      createdBy: string | null;
    };
