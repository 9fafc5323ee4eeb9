import { TokenCodec } from '@app/auth';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './guard';

@ApiTags('auth')
@Controller('api/.well-known')
export class JwksController {
  constructor(private readonly codec: TokenCodec) {}

  @Get('jwks.json')
  @Public()
  @ApiOperation({ summary: 'Public keys that verify access tokens (ES256/EdDSA, by `kid`); empty with HS256.' })
  @ApiOkResponse({
    description: 'A JSON Web Key Set (RFC 7517).',
    schema: {
      type: 'object',
      properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
      required: ['keys'],
      example: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: '…', alg: 'EdDSA', use: 'sig' }] },
    },
  })
  jwks() {
    return this.codec.jwks();
  }
}
