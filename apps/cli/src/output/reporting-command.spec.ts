import { AppError } from '@app/common';
import { CommandReport, ReportingCommand } from './reporting-command';

describe(ReportingCommand.name, () => {
  class ProbeCommand extends ReportingCommand<{ name?: string }> {
    seen?: object;
    constructor(private readonly report: CommandReport) {
      super();
    }
    protected execute(_args: string[], options: { name?: string }): Promise<CommandReport> {
      this.seen = options;
      return Promise.resolve(this.report);
    }
  }

  let written: string;
  beforeEach(() => {
    written = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('hands the command its own options, without --json', async () => {
    const command = new ProbeCommand({ human: ['ok'], json: {} });
    await command.run([], { name: 'x', json: true });
    expect(command.seen).toEqual({ name: 'x' });
    expect(written).toBe('{}\n');
  });

  it('prints a failed report in full, then fails with its error', async () => {
    const failure = new AppError('drift', 'Drift: 1 problem(s) found.');
    const command = new ProbeCommand({ human: ['problem 1'], json: { consistent: false }, failure });
    await expect(command.run([], {})).rejects.toBe(failure);
    expect(written).toBe('problem 1\n');
  });
});
