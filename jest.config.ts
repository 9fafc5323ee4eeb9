import type { Config } from 'jest';

export const moduleNameMapper = {
  '^@app/(common|config|database|events|messaging|auth|testing|client|ledger|vinted|webhooks|whatsapp)$':
    '<rootDir>/libs/$1/src',
};
export const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] as [string, Record<string, unknown>],
  // PGlite imports Node built-ins with import(), which Jest's sandbox refuses without a Node flag.
  '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$':
    '<rootDir>/libs/testing/jest/pglite-dynamic-import.transformer.cjs',
};
export const transformIgnorePatterns = ['/node_modules/(?!@electric-sql/pglite/)'];
const common = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
};

const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], slowTestThreshold: 30 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 60 },
  ],
  testTimeout: 60_000,
};

export default config;
