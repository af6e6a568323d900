// Log levels, in order. A module of its own (shared/model.ts re-exports it) so that the CLI's argument
// parser, loaded by every start, does not load the provider descriptors shared/model.ts brings.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
