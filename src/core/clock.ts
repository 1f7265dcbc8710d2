/** Time source, injectable so tests of periods and windows need no sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
