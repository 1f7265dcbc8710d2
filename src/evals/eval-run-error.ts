/** A problem with an eval's input or its hub (a missing suite, an unknown task, a refused request), said plainly for the CLI. */
export class EvalRunError extends Error {
  /** The HTTP status of the hub's answer, when a request was refused. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'EvalRunError';
    this.status = status;
  }
}
