import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { applyDotEnv } from './dot-env';

describe(applyDotEnv.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hourglass-dotenv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adds the file's variables that the environment does not set, and leaves the others as they are", () => {
    writeFileSync(
      join(dir, '.env'),
      ['# a comment', 'PORT=4000', 'LOG_LEVEL="debug"', "VINTED_BASE_URL='http://127.0.0.1:9/'", 'EMPTY_HERE=x'].join(
        '\n',
      ),
    );
    const env: NodeJS.ProcessEnv = { PORT: '5000', EMPTY_HERE: '' };
    applyDotEnv(env, dir);
    expect(env).toEqual({ PORT: '5000', LOG_LEVEL: 'debug', VINTED_BASE_URL: 'http://127.0.0.1:9/', EMPTY_HERE: '' });
  });

  it('changes nothing when the directory has no .env', () => {
    const env: NodeJS.ProcessEnv = { PORT: '5000' };
    applyDotEnv(env, dir);
    expect(env).toEqual({ PORT: '5000' });
  });

  it('refuses a .env that exists but cannot be read, in one line naming it', () => {
    mkdirSync(join(dir, '.env')); // A directory: reading it fails with EISDIR.
    expect(() => applyDotEnv({}, dir)).toThrow(ConfigError);
    expect(() => applyDotEnv({}, dir)).toThrow(
      new RegExp(`^Invalid configuration: cannot read ${join(dir, '.env')} \\(EISDIR[^\\n]*\\)\\.$`),
    );
  });
});
