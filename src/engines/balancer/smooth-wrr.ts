// Smooth weighted round-robin (as nginx does it): weights 3:1 give A A B A, exactly 3:1 in every cycle of 4,
// and spread out rather than in bursts.

/** A weighted choice. */
export interface Weighted<T> {
  item: T;
  weight: number;
}

/** Picks items in smooth weighted round-robin order; weight 0 items are never picked. */
export class SmoothWeightedRoundRobin<T> {
  private readonly items: Weighted<T>[];
  private readonly current: number[];
  private readonly total: number;

  constructor(items: Weighted<T>[]) {
    this.items = items.filter((i) => i.weight > 0);
    this.current = this.items.map(() => 0);
    this.total = this.items.reduce((s, i) => s + i.weight, 0);
  }

  /** Number of items that can be picked. */
  get size(): number {
    return this.items.length;
  }

  /** The next item, or undefined when no item has a positive weight. */
  next(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    if (n === 1) return this.items[0]!.item;
    let best = 0;
    for (let i = 0; i < n; i++) {
      this.current[i]! += this.items[i]!.weight;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.items[best]!.item;
  }
}
