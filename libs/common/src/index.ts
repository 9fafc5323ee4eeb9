export * from './app-error';
export * from './duration';
export * from './logging';
export * from './startup-failure';
