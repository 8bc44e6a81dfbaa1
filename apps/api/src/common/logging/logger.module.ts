import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');

/** Provides the process's pino logger (made in main.ts / worker.ts) to whoever needs it. */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger) {
    return { module: LoggerModule, providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] };
  }
}
