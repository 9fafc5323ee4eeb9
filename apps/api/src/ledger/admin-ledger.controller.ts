import { LedgerVerifier, TokensOverviewService } from '@app/ledger';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerVerificationDto, TokensOverviewDto } from './dto/ledger-verify.dto';
import { Roles } from '../auth/guard';

@ApiTags('points')
@Controller('api/admin/ledger')
export class AdminLedgerController {
  constructor(
    private readonly verifier: LedgerVerifier,
    private readonly tokens: TokensOverviewService,
  ) {}

  @Get('verify')
  @Roles('admin')
  @ApiOperation({
    summary: 'Checks the books, as `npm run cli -- ledger verify` does (read only, one snapshot per check).',
    description:
      'Balances and held points against the journal, held points against the active tokens, and every token’s entries. `problems` lists one sentence per drift found; empty means the books balance.',
  })
  @ApiOkResponse({ type: LedgerVerificationDto })
  verify(): Promise<LedgerVerificationDto> {
    return this.verifier.run();
  }

  @Get('tokens')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Every user’s exchange tokens at a glance: the 20 active holds that expire first, the 20 latest expiries and sweeps.',
    description:
      'For the web console’s admin page. Tokens are named by their row number, never by the token (a bearer secret).',
  })
  @ApiOkResponse({ type: TokensOverviewDto })
  tokensOverview(): Promise<TokensOverviewDto> {
    return this.tokens.overview();
  }
}
