export * from './chat.ts';
export * from './flow.ts';
