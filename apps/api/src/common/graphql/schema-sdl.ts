import 'reflect-metadata';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';

/** The committed schema: what agencies generate their clients from (docs/api.md, "Schema"). */
export const SCHEMA_FILE = 'apps/api/schema.graphql';

/** The same header Nest writes, so the api's own autoSchemaFile and this command agree byte for byte. */
const HEADER = `# ------------------------------------------------------
# THIS FILE WAS AUTOMATICALLY GENERATED (DO NOT MODIFY)
# ------------------------------------------------------

`;
/** @nestjs/graphql's marker for a class decorated with @Resolver(). */
const RESOLVER_TYPE_METADATA = 'graphql:resolver_type';

/**
 * The api's schema as SDL, built from the code-first resolvers alone: no database, no Redis, no
 * HTTP server. Every `*.resolver.ts` under apps/api/src is loaded and its @Resolver classes
 * handed to Nest's schema factory, sorted as the api sorts it.
 */
export async function buildSchema(sourceDir = resolve(__dirname, '../..')): Promise<GraphQLSchema> {
  const modules = (await Promise.all(resolverFiles(sourceDir).map((file) => import(file)))) as Array<Record<string, unknown>>;
  const resolvers = modules.flatMap((exports) =>
    Object.values(exports).filter(
      (value): value is (...args: unknown[]) => unknown =>
        typeof value === 'function' && Reflect.hasMetadata(RESOLVER_TYPE_METADATA, value),
    ),
  );
  const context = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return lexicographicSortSchema(await context.get(GraphQLSchemaFactory).create(resolvers));
  } finally {
    await context.close();
  }
}

export async function buildSchemaSdl(sourceDir?: string): Promise<string> {
  return HEADER + printSchema(await buildSchema(sourceDir));
}

function resolverFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return resolverFiles(path);
    return name.endsWith('.resolver.ts') ? [path] : [];
  });
}
