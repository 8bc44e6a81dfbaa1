import { Field, ObjectType } from '@nestjs/graphql';
import { UserModel } from '../users/user.model';
import { WorkspaceModel } from '../workspaces/workspace.model';

@ObjectType('AuthSession')
export class AuthSessionModel {
  @Field({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken: string;

  @Field()
  accessTokenExpiresAt: Date;

  @Field({ description: 'Also set as an httpOnly cookie for the dashboard. Single use: each refresh returns a new one.' })
  refreshToken: string;

  @Field()
  refreshTokenExpiresAt: Date;

  @Field(() => UserModel)
  user: UserModel;

  @Field(() => WorkspaceModel, { nullable: true, description: 'The workspace the access token acts in.' })
  workspace: WorkspaceModel | null;
}
