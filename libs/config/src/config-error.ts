/** A configuration that cannot start the process; `lines` has one line per problem (a bad variable, an unreadable `.env`). */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}
