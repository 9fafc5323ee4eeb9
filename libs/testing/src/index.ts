export * from './app-process';
export * from './tcp-proxy';
export * from './test-broker';
export * from './database-test-app';
export * from './test-database';
export * from './ts-script-process';
export * from './test-stack';
