import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, CurrentActor, SignedIn } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { ForbiddenError } from '../common/errors/app-error';
import { validate } from '../common/validation/validate';
import { name, uuid } from '../common/validation/fields';
import {
  ChangeMemberRoleInput,
  changeMemberRoleSchema,
  CreateWorkspaceInput,
  createWorkspaceSchema,
  InviteMemberInput,
  inviteMemberSchema,
} from './dto/workspace.inputs';
import { CreatedInvitationModel, InvitationModel, MemberModel, WorkspaceModel } from './workspace.model';
import { WorkspacesService } from './workspaces.service';

@Resolver(() => WorkspaceModel)
export class WorkspacesResolver {
  constructor(private readonly workspaces: WorkspacesService) {}

  @SignedIn()
  @Query(() => [WorkspaceModel], { description: 'Every workspace the signed-in user belongs to.' })
  async myWorkspaces(@CurrentActor() actor: Actor): Promise<WorkspaceModel[]> {
    if (actor.kind !== 'user') throw new ForbiddenError('An API key belongs to one workspace; use `workspace`.');
    const list = await this.workspaces.listForUser(actor.userId);
    return list.map(({ workspace, role }) => ({ ...workspace, myRole: role }));
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => WorkspaceModel, { description: 'The workspace the caller acts in.' })
  async workspace(@CurrentActor() actor: Actor): Promise<WorkspaceModel> {
    const workspace = await this.workspaces.current();
    return { ...workspace, myRole: actor.kind === 'user' ? actor.role : null };
  }

  @SignedIn()
  @Mutation(() => WorkspaceModel, { description: 'Creates another workspace owned by the caller. Switch to it with switchWorkspace.' })
  async createWorkspace(@CurrentActor() actor: Actor, @Args('input') raw: CreateWorkspaceInput): Promise<WorkspaceModel> {
    if (actor.kind !== 'user') throw new ForbiddenError('API keys cannot create workspaces.');
    const input = validate(createWorkspaceSchema, raw);
    const workspace = await this.workspaces.create(actor.userId, input.name);
    return { ...workspace, myRole: Role.OWNER };
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => WorkspaceModel)
  async renameWorkspace(@CurrentActor() actor: Actor, @Args('name') raw: string): Promise<WorkspaceModel> {
    const workspace = await this.workspaces.rename(validate(name(80), raw, 'name'));
    return { ...workspace, myRole: actor.kind === 'user' ? actor.role : null };
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => [MemberModel])
  members(): Promise<MemberModel[]> {
    return this.workspaces.members() as Promise<MemberModel[]>;
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Query(() => [InvitationModel])
  invitations(): Promise<InvitationModel[]> {
    return this.workspaces.invitations();
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => CreatedInvitationModel, { description: 'Invites someone by email; the token and link are shown once.' })
  inviteMember(@CurrentActor() actor: Actor, @Args('input') raw: InviteMemberInput): Promise<CreatedInvitationModel> {
    const input = validate(inviteMemberSchema, raw);
    return this.workspaces.invite(actor, input.email, input.role);
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => InvitationModel)
  revokeInvitation(@Args('id', { type: () => ID }) id: string): Promise<InvitationModel> {
    return this.workspaces.revokeInvitation(validate(uuid, id, 'id'));
  }

  @SignedIn()
  @Mutation(() => WorkspaceModel, { description: 'Joins the workspace of an invitation sent to the caller’s email.' })
  async acceptInvitation(@CurrentActor() actor: Actor, @Args('token') token: string): Promise<WorkspaceModel> {
    if (actor.kind !== 'user') throw new ForbiddenError('Only a person can accept an invitation.');
    const workspace = await this.workspaces.acceptInvitation(actor.userId, validate(name(200), token, 'token'));
    return { ...workspace, myRole: await this.workspaces.roleOf(actor.userId, workspace.id) };
  }

  @Access(Role.OWNER, ApiKeyScope.MANAGE)
  @Mutation(() => MemberModel, { description: 'OWNER only.' })
  changeMemberRole(@Args('input') raw: ChangeMemberRoleInput): Promise<MemberModel> {
    const input = validate(changeMemberRoleSchema, raw);
    return this.workspaces.changeRole(input.memberId, input.role) as Promise<MemberModel>;
  }

  @Access(Role.OWNER, ApiKeyScope.MANAGE)
  @Mutation(() => MemberModel, { description: 'OWNER only.' })
  removeMember(@Args('memberId', { type: () => ID }) memberId: string): Promise<MemberModel> {
    return this.workspaces.removeMember(validate(uuid, memberId, 'memberId')) as Promise<MemberModel>;
  }
}
