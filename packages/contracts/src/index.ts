export * from './chat.ts';
export * from './flow.ts';
export * from './service.ts';
export * from './test-console.ts';
