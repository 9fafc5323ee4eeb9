/**
 * Where every command's report goes: stdout, either as lines for a person or, with `--json`, as
 * one JSON value on one line for a script. Logs, progress bars and errors go to stderr, so stdout
 * holds nothing but the report in either mode.
 */
export class CommandOutput {
  constructor(
    readonly json: boolean,
    private readonly stdout: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
  ) {}

  /**
   * A line shown at once, before a long step, so a person sees what is under way. `--json` leaves
   * it out: the final JSON value carries the same facts.
   */
  announce(line: string): void {
    if (!this.json) {
      this.stdout.write(`${line}\n`);
    }
  }

  /**
   * The command's report. `human` is a list of lines (a table from `table()` is one multi-line
   * entry, `''` a blank line); `json` holds the same facts with camelCase keys and ISO instants.
   */
  report(human: readonly string[], json: unknown): void {
    this.stdout.write(this.json ? `${JSON.stringify(json)}\n` : human.map((line) => `${line}\n`).join(''));
  }
}
