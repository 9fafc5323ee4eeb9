import { Command } from 'nest-commander';
import { VintedDiagnosticCommand } from './vinted-diagnostic.command';
import { VintedInitSessionCommand } from './vinted-init-session.command';
import { VintedReportCommand } from './vinted-report.command';
import { VintedRotateSecretCommand } from './vinted-rotate-secret.command';
import { VintedTestRefreshCommand } from './vinted-test-refresh.command';
import { VintedVerifyCommand } from './vinted-verify.command';
import { CommandGroup } from '../command-group';

export const VINTED_SUBCOMMANDS = [
  VintedVerifyCommand,
  VintedDiagnosticCommand,
  VintedInitSessionCommand,
  VintedTestRefreshCommand,
  VintedReportCommand,
  VintedRotateSecretCommand,
];

@Command({
  name: 'vinted',
  description: 'Vinted sessions: verify, diagnostic, init-session, test-refresh, report, rotate-secret',
  subCommands: VINTED_SUBCOMMANDS,
})
export class VintedCommand extends CommandGroup {}
