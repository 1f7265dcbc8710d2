import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type AnyLogFn = (...args: unknown[]) => void;
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/**
 * Fastify builds a child logger (`reqId` bound) for every request, but with request logging off a
 * request logs only when something fails. This stands in for that child and builds it on first use,
 * so the lines keep their `reqId` and a request that logs nothing costs no pino child.
 */
class LazyChildLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | null = null;
  private readonly parent: FastifyBaseLogger;
  private readonly bindings: Bindings;
  private readonly options: ChildOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions) {
    this.parent = parent;
    this.bindings = bindings;
    this.options = options;
  }

  private get logger(): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }

  get level(): FastifyBaseLogger['level'] {
    return this.real ? this.real.level : this.parent.level;
  }

  set level(level: FastifyBaseLogger['level']) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void {
    call(this.logger.fatal, this.logger, args);
  }

  error(...args: unknown[]): void {
    call(this.logger.error, this.logger, args);
  }

  warn(...args: unknown[]): void {
    call(this.logger.warn, this.logger, args);
  }

  info(...args: unknown[]): void {
    call(this.logger.info, this.logger, args);
  }

  debug(...args: unknown[]): void {
    call(this.logger.debug, this.logger, args);
  }

  trace(...args: unknown[]): void {
    call(this.logger.trace, this.logger, args);
  }

  silent(...args: unknown[]): void {
    call(this.logger.silent, this.logger, args);
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

const call = (method: FastifyBaseLogger['info'], logger: FastifyBaseLogger, args: unknown[]): void => {
  (method as AnyLogFn).apply(logger, args);
};

export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}
