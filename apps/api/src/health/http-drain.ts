import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * On shutdown, stop taking requests and let the ones in flight finish *before* the database and
 * Redis connections close (Nest closes the HTTP server last, after the modules' shutdown hooks).
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  constructor(private readonly host: HttpAdapterHost) {}

  async beforeApplicationShutdown(): Promise<void> {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify?.server.listening) await fastify.close();
  }
}
