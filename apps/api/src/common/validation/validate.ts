import type { z } from 'zod';
import { BadUserInputError } from '../errors/app-error';

/**
 * Checks a GraphQL argument against its zod schema. The first problem is thrown as
 * BAD_USER_INPUT naming the field (`input.palette.1`), before anything is written.
 */
export function validate<S extends z.ZodTypeAny>(schema: S, value: unknown, argument = 'input'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [argument, ...issue.path].join('.');
  throw new BadUserInputError(field, issue.message);
}
