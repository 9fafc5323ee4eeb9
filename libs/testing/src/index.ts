export * from './app-process';
export * from './tcp-proxy';
export * from './test-broker';
export * from './database-test-app';
export * from './fake-vinted-server';
export * from './test-database';
export * from './ts-script-process';
export * from './test-stack';
