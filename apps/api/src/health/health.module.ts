import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HttpDrain } from './http-drain';

@Module({ controllers: [HealthController], providers: [HttpDrain] })
export class HealthModule {}
