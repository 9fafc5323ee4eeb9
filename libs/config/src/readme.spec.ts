import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envVariableNames } from './env-meta';
import './app-config';

describe('the README configuration table', () => {
  it('documents every variable of the schema', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const missing = envVariableNames().filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
