import { AppConfig } from '@app/config';
import {
  JsonWebTokenError,
  JwtModuleAsyncOptions,
  JwtModuleOptions,
  JwtSecretRequestType,
  JwtSignOptions,
} from '@nestjs/jwt';
import { JwtKeyRing } from './jwt-key-ring';
import { JwtKeyRingModule } from './jwt-key-ring.module';

/**
 * `JwtModule` from AppConfig: `JwtService` signs with the ring's current key and verifies with the
 * key a token's header names (`kid` for rotated asymmetric keys), pinned to that key's algorithm —
 * both in `algorithms` and in `keyFor`, so `none` or HS256-keyed-with-a-public-key never passes.
 * jsonwebtoken has no EdDSA: TokenCodec hands Ed25519 keys to jose, so they are left out here.
 */
export function jwtModuleOptions(ring: JwtKeyRing, config: AppConfig): JwtModuleOptions {
  const { signing } = ring;
  return {
    secretOrKeyProvider: (requestType, tokenOrPayload) => {
      if (requestType === JwtSecretRequestType.SIGN) {
        if (signing.alg === 'EdDSA') {
          throw new JsonWebTokenError('jsonwebtoken cannot sign EdDSA; TokenCodec signs it with jose');
        }
        return signing.key;
      }
      const key = typeof tokenOrPayload === 'string' ? ring.keyForToken(tokenOrPayload) : undefined;
      if (key === undefined || key.alg === 'EdDSA') {
        throw new JsonWebTokenError('no key of the ring matches the token header');
      }
      return key.key;
    },
    signOptions: signing.alg === 'EdDSA' ? undefined : signOptions(signing.alg, signing.kid),
    verifyOptions: {
      algorithms: ring.algorithms().filter((alg) => alg !== 'EdDSA'),
      clockTolerance: Math.floor(config.JWT_LEEWAY / 1000),
    },
  };
}

/** jsonwebtoken writes the header `{"alg":…,"typ":"JWT","kid":…}`, as jose's SignJWT did. */
function signOptions(algorithm: 'HS256' | 'ES256', kid: string | undefined): JwtSignOptions {
  // jsonwebtoken refuses a `keyid` that is present but undefined.
  return kid === undefined ? { algorithm } : { algorithm, keyid: kid };
}

export const JWT_MODULE_OPTIONS_FROM_CONFIG: JwtModuleAsyncOptions = {
  imports: [JwtKeyRingModule],
  inject: [JwtKeyRing, AppConfig],
  useFactory: jwtModuleOptions,
};
