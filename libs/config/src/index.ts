export * from './app-config';
export * from './config.module';
export { envMeta, envVariableNames } from './env-meta';
export * from './load-config';
