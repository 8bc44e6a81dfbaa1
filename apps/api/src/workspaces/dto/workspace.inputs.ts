import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { Role } from '../../common/auth/actor';
import { email, name, uuid } from '../../common/validation/fields';

@InputType()
export class CreateWorkspaceInput {
  @Field()
  name: string;
}
export const createWorkspaceSchema = z.object({ name: name(80) });

@InputType()
export class InviteMemberInput {
  @Field()
  email: string;

  @Field(() => Role)
  role: Role;
}
export const inviteMemberSchema = z.object({
  email,
  role: z.nativeEnum(Role).refine((r) => r !== Role.OWNER, 'an invitation cannot make an OWNER; promote a member instead'),
});

@InputType()
export class ChangeMemberRoleInput {
  @Field(() => ID)
  memberId: string;

  @Field(() => Role)
  role: Role;
}
export const changeMemberRoleSchema = z.object({ memberId: uuid, role: z.nativeEnum(Role) });
