/**
 * A metric's label-bound children, one per label tuple: `metric.labels(...)` hashes its label object on
 * every call, and the hot path updates five series per request. The map forgets everything past `max`
 * tuples (the series stay in the registry; only the shortcut is rebuilt).
 */
export class LabelChildren<Child> {
  private readonly children = new Map<string, Child>();
  private readonly bind: (...values: string[]) => Child;
  private readonly max: number;

  constructor(bind: (...values: string[]) => Child, max = 10_000) {
    this.bind = bind;
    this.max = max;
  }

  get(...values: string[]): Child {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      if (this.children.size >= this.max) this.children.clear();
      child = this.bind(...values);
      this.children.set(key, child);
    }
    return child;
  }
}
