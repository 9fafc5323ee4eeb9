import { AuthModule, TokenCodec } from '@app/auth';
import { Controller, Get, Headers, Module } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { Authenticated, Public, bearerToken } from '../apps/api/src/auth/guard';

/** The one handler every route runs: the differences between them are the auth work only. */
function pong(): { ok: true } {
  return { ok: true };
}

/**
 * Bench-only routes (mounted by bench/run.ts, never by the product): `public` skips
 * authentication, `authenticated` runs the global JWT guard, `verify-only` checks the token's
 * signature and claims but not the user (to tell the two costs of the guard apart).
 */
@Controller('api/bench')
class BenchProbeController {
  constructor(private readonly codec: TokenCodec) {}

  @Get('public')
  @Public()
  public() {
    return pong();
  }

  @Get('authenticated')
  @Authenticated()
  authenticated() {
    return pong();
  }

  @Get('verify-only')
  @Public()
  async verifyOnly(@Headers('authorization') authorization: string | undefined) {
    await this.codec.decode(bearerToken(authorization) ?? '', 'access');
    return pong();
  }
}

/** Messages of the bus benchmark consumed so far (bench/bus.bench.ts). */
export const benchPings = { count: 0 };

@Controller()
class BenchBusConsumer {
  @EventPattern('bench_ping')
  ping(): void {
    benchPings.count++;
  }
}

@Module({ imports: [AuthModule], controllers: [BenchProbeController, BenchBusConsumer] })
export class BenchProbeModule {}

export const PUBLIC_PATH = '/api/bench/public';
export const AUTHENTICATED_PATH = '/api/bench/authenticated';
export const VERIFY_ONLY_PATH = '/api/bench/verify-only';
