import { Field, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { email, name, password } from '../../common/validation/fields';

@InputType()
export class SignUpInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field()
  name: string;

  @Field({ nullable: true, description: 'Name of the first workspace; defaults to "<name>’s workspace".' })
  workspaceName?: string;
}
export const signUpSchema = z.object({
  email,
  password,
  name: name(80),
  workspaceName: name(80).optional(),
});

@InputType()
export class LogInInput {
  @Field()
  email: string;

  @Field()
  password: string;
}
export const logInSchema = z.object({ email, password: z.string().min(1, 'must not be empty').max(200) });
