export { type AppName, AppProcess, type AppProcessOptions, runApp } from './app-process';
export { createDatabaseTestApp } from './database-test-app';
export { FakeVintedServer } from './fake-vinted-server';
export { TcpProxy } from './tcp-proxy';
export { type BusTarget, type TestVhost, busTargets, createTestVhost } from './test-broker';
export { type DatabaseTarget, type TestDatabase, createTestDatabase, databaseTargets } from './test-database';
export { type StackTarget, type TestStack, createTestStack, stackTargets } from './test-stack';
export { TsScriptProcess } from './ts-script-process';
export { findVintedSession } from './vinted-session-rows';
