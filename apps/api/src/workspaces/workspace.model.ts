import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '../common/auth/actor';
import { UserModel } from '../users/user.model';

@ObjectType('Workspace')
export class WorkspaceModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  slug: string;

  @Field(() => Role, { nullable: true, description: 'The caller’s role here; null for an API key.' })
  myRole: Role | null;

  @Field()
  createdAt: Date;
}

@ObjectType('Member')
export class MemberModel {
  @Field(() => ID, { description: 'The membership id.' })
  id: string;

  @Field(() => UserModel)
  user: UserModel;

  @Field(() => Role)
  role: Role;

  @Field()
  createdAt: Date;
}

@ObjectType('Invitation')
export class InvitationModel {
  @Field(() => ID)
  id: string;

  @Field()
  email: string;

  @Field(() => Role)
  role: Role;

  @Field()
  expiresAt: Date;

  @Field(() => Date, { nullable: true })
  acceptedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field()
  createdAt: Date;
}

@ObjectType('CreatedInvitation')
export class CreatedInvitationModel {
  @Field(() => InvitationModel)
  invitation: InvitationModel;

  @Field({ description: 'Shown once: the token the invitee passes to acceptInvitation.' })
  token: string;

  @Field({ description: 'Shown once: a dashboard link that accepts the invitation.' })
  acceptUrl: string;
}
