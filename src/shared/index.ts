export * from './api.ts';
export * from './channels.ts';
export * from './domain.ts';
export * from './errors.ts';
export * from './guards.ts';
export * from './secrets.ts';
export * from './transport.ts';
export * from './urls.ts';
