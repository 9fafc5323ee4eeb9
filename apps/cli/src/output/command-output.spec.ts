import { CommandOutput } from './command-output';
import { table } from './format';

function capture() {
  let written = '';
  return { stdout: { write: (chunk: string) => ((written += chunk), true) }, written: () => written };
}

describe(CommandOutput.name, () => {
  it('prints the human lines, a table as one entry and a blank line as an empty string', () => {
    const sink = capture();
    const output = new CommandOutput(false, sink.stdout);
    output.announce('Found 2.');
    output.report([table(['a', 'bb'], [['1', '2']]), '', 'done'], { ignored: true });
    expect(sink.written()).toBe('Found 2.\na  bb\n-  --\n1  2\n\ndone\n');
  });

  it('prints only the JSON value on one line with --json, leaving announcements out', () => {
    const sink = capture();
    const output = new CommandOutput(true, sink.stdout);
    output.announce('Found 2.');
    output.report(['Found 2.'], { found: 2, at: new Date('2026-01-01T00:00:00Z') });
    expect(sink.written()).toBe('{"found":2,"at":"2026-01-01T00:00:00.000Z"}\n');
  });
});
