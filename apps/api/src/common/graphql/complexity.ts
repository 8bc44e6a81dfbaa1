import { type DocumentNode, type GraphQLSchema, Kind } from 'graphql';
import { BadUserInputError } from '../errors/app-error';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator } from 'graphql-query-complexity';

/**
 * Refuses an operation before it runs when it is too deep or too expensive. List fields count
 * their `first` argument as a multiplier, so `brands(first: 100) { … }` costs 100× its selection.
 * Runs in Mercurius' preExecution hook (it needs the variables; validation rules don't get them).
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  maxDepth: number,
  maxComplexity: number,
): void {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const depth = depthOf(definition.selectionSet, document, 0);
    if (depth > maxDepth) throw new BadUserInputError('query', `depth ${depth} is over the limit of ${maxDepth}`);
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      estimators: [
        fieldExtensionsEstimator(),
        ({ args, childComplexity }) => {
          const first = typeof args.first === 'number' ? args.first : undefined;
          return first === undefined ? undefined : 1 + first * Math.max(1, childComplexity);
        },
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  } catch {
    return; // bad variables: graphql-js reports those itself, by name
  }
  if (complexity > maxComplexity) throw new BadUserInputError('query', `complexity ${complexity} is over the limit of ${maxComplexity}`);
}

type SelectionSet = { selections: ReadonlyArray<{ kind: string; selectionSet?: SelectionSet; name?: { value: string } }> };

function depthOf(set: SelectionSet | undefined, document: DocumentNode, depth: number, seen = new Set<string>()): number {
  if (!set) return depth;
  let max = depth;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name?.value.startsWith('__')) continue;
      max = Math.max(max, depthOf(selection.selectionSet, document, depth + 1, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(selection.selectionSet, document, depth, seen));
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name!.value;
      if (seen.has(name)) continue;
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      if (fragment && 'selectionSet' in fragment)
        max = Math.max(max, depthOf(fragment.selectionSet as SelectionSet, document, depth, new Set([...seen, name])));
    }
  }
  return max;
}
