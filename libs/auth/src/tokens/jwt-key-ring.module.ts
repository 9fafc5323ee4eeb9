import { AppConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { JwtKeyRing } from './jwt-key-ring';

/**
 * The process's one `JwtKeyRing`, read from AppConfig at start (a bad key stops the app). A
 * module of its own so that `JwtModule.registerAsync` can inject the same instance TokenCodec does.
 */
@Module({
  providers: [
    { provide: JwtKeyRing, inject: [AppConfig], useFactory: (config: AppConfig) => JwtKeyRing.fromConfig(config) },
  ],
  exports: [JwtKeyRing],
})
export class JwtKeyRingModule {}
