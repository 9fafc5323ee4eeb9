import type { Config } from 'jest';
import { moduleNameMapper, transform, transformIgnorePatterns } from './jest.config';

/**
 * `npm run drills`: the topology test and the fault drills. They start real processes and share
 * the machine's PostgreSQL and RabbitMQ (some restart them), so they run one at a time
 * (`--runInBand`) and outside `npm test`.
 */
const config: Config = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  testMatch: ['<rootDir>/drills/**/*.drill-spec.ts'],
  testTimeout: 600_000,
  slowTestThreshold: 300,
};

export default config;
