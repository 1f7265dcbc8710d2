/** The subset of pino the economy logs through; a pino `Logger` fits as is. */
export interface EconomyLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: EconomyLogger = { info: () => {}, warn: () => {}, error: () => {} };
