export * from './app-error';
export * from './duration';
