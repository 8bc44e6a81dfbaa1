import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HttpDrain } from './http-drain';

@Module({ providers: [HealthController, HttpDrain] })
export class HealthModule {}
