import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { CurrentActor, Public, SignedIn } from '../common/auth/decorators';
import { AuthAttempt } from '../common/rate-limit/call-admission';
import type { Actor } from '../common/auth/actor';
import type { GraphqlContext } from '../common/graphql/graphql-context';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/app-error';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { UsersService } from '../users/users.service';
import { UserModel } from '../users/user.model';
import type { UserEntity } from '../users/user.entity';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { AuthSessionModel } from './auth.model';
import { LogInInput, SignUpInput, signUpSchema } from './dto/auth.inputs';
import { LocalAuthGuard } from './local-auth.guard';
import { type IssuedSession, SessionService } from './session.service';

export const REFRESH_COOKIE = 'bw_refresh';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly workspaces: WorkspacesService,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  @AuthAttempt('signUps')
  @Public()
  @Mutation(() => AuthSessionModel, { description: 'Creates an account and its first workspace, and signs in.' })
  async signUp(@Args('input') raw: SignUpInput, @Context() ctx: GraphqlContext): Promise<AuthSessionModel> {
    const input = validate(signUpSchema, raw);
    const { user, workspace } = await this.dataSource.transaction(async (db) => {
      const user = await this.users.create(db, input);
      const workspace = await this.workspaces.create(user.id, input.workspaceName ?? `${input.name}’s workspace`, db);
      return { user, workspace };
    });
    return this.respond(ctx, await this.sessions.start(user.id, workspace.id), user);
  }

  @AuthAttempt('logInFailures')
  @Public()
  @UseGuards(LocalAuthGuard)
  @Mutation(() => AuthSessionModel, { description: 'Signs in with email and password.' })
  async logIn(@Args('input') _input: LogInInput, @Context() ctx: GraphqlContext): Promise<AuthSessionModel> {
    const user = (ctx.req as unknown as { user: UserEntity }).user;
    const [first] = await this.workspaces.listForUser(user.id);
    return this.respond(ctx, await this.sessions.start(user.id, first?.workspace.id ?? null), user);
  }

  @AuthAttempt('credentialFailures')
  @Public()
  @Mutation(() => AuthSessionModel, {
    description: 'Exchanges a refresh token (argument, or the dashboard’s cookie) for a new session. Each token works once.',
  })
  async refreshSession(
    @Context() ctx: GraphqlContext,
    @Args('refreshToken', { nullable: true }) refreshToken?: string,
  ): Promise<AuthSessionModel> {
    const token = refreshToken ?? ctx.req.cookies?.[REFRESH_COOKIE];
    if (!token) throw new UnauthenticatedError('No refresh token was sent.');
    const session = await this.sessions.rotate(token);
    return this.respond(ctx, session);
  }

  @Public()
  @Mutation(() => Boolean, { description: 'Ends the session: its refresh token family is revoked.' })
  async logOut(@Context() ctx: GraphqlContext, @Args('refreshToken', { nullable: true }) refreshToken?: string): Promise<boolean> {
    const token = refreshToken ?? ctx.req.cookies?.[REFRESH_COOKIE];
    if (token) await this.sessions.end(token);
    ctx.reply?.clearCookie(REFRESH_COOKIE, { path: '/' });
    return true;
  }

  @SignedIn()
  @Mutation(() => AuthSessionModel, { description: 'Issues tokens that act in another workspace the user belongs to.' })
  async switchWorkspace(
    @CurrentActor() actor: Actor,
    @Args('workspaceId', { type: () => ID }) workspaceId: string,
    @Context() ctx: GraphqlContext,
  ): Promise<AuthSessionModel> {
    validate(uuid, workspaceId, 'workspaceId');
    if (actor.kind !== 'user') throw new ForbiddenError('API keys belong to one workspace.');
    const role = await this.workspaces.roleOf(actor.userId, workspaceId);
    if (!role) throw new ForbiddenError('You are not a member of that workspace.');
    return this.respond(ctx, await this.sessions.start(actor.userId, workspaceId));
  }

  @SignedIn()
  @Query(() => UserModel, { description: 'The signed-in user.' })
  async me(@CurrentActor() actor: Actor): Promise<UserModel> {
    if (actor.kind !== 'user') throw new ForbiddenError('An API key has no user.');
    const user = await this.users.findById(actor.userId);
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  private async respond(ctx: GraphqlContext, session: IssuedSession, knownUser?: UserEntity): Promise<AuthSessionModel> {
    ctx.reply?.setCookie(REFRESH_COOKIE, session.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure,
      path: '/',
      expires: session.refreshTokenExpiresAt,
    });
    const user = knownUser ?? (await this.users.findById(session.userId));
    if (!user) throw new UnauthenticatedError();
    const workspaces = await this.workspaces.listForUser(user.id);
    const current = workspaces.find((w) => w.workspace.id === session.workspaceId);
    return {
      ...session,
      user,
      workspace: current ? { ...current.workspace, myRole: current.role } : null,
    };
  }
}
