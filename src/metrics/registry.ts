// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4). Label values come from the caller, which must keep them bounded.

/** The text format's escaping of a label value. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i]!)}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** One metric family. */
interface Family {
  render(): string;
}

/** A counter: a total that only goes up. */
export class Counter implements Family {
  private readonly series = new Map<string, { values: string[]; n: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labels: readonly string[] = [],
  ) {}

  /** Adds `by` (default 1) to the series of these label values (in the order of `labels`). */
  inc(values: readonly string[] = [], by = 1): void {
    this.at(values).n += by;
  }

  /** The series of these label values, to keep and add to without a lookup. */
  at(values: readonly string[]): { n: number } {
    const key = values.join("\u0000");
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values: [...values], n: 0 }));
    return s;
  }

  /** The current value of one series (for tests and summaries). */
  get(values: readonly string[] = []): number {
    return this.series.get(values.join("\u0000"))?.n ?? 0;
  }

  /** Every series: its label values and total (read when rendering figures derived from this counter). */
  entries(): Iterable<{ values: readonly string[]; n: number }> {
    return this.series.values();
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const s of this.series.values()) out += `${this.name}${labelText(this.labels, s.values)} ${s.n}\n`;
    return out;
  }
}

/** A gauge: a value read when the metrics are scraped, or set and moved (`counter` for a total kept elsewhere). */
export class Gauge implements Family {
  private value = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read?: () => number,
    private readonly type: "gauge" | "counter" = "gauge",
    private readonly constLabels: Record<string, string> = {},
  ) {}

  /** Moves the value by `by`. */
  add(by: number): void {
    this.value += by;
  }

  /** The current value. */
  get(): number {
    return this.read ? this.read() : this.value;
  }

  render(): string {
    const names = Object.keys(this.constLabels);
    const labels = labelText(
      names,
      names.map((n) => this.constLabels[n]!),
    );
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.name}${labels} ${this.get()}\n`;
  }
}

/** One labelled series of a histogram. */
export interface HistogramSeries {
  values: string[];
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram with fixed buckets (upper bounds, in the metric's unit). */
export class Histogram implements Family {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labels: readonly string[],
    readonly buckets: readonly number[],
  ) {}

  /** Records one observation. */
  observe(values: readonly string[], x: number): void {
    this.record(this.at(values), x);
  }

  /** The series of these label values, to keep and record into without a lookup. */
  at(values: readonly string[]): HistogramSeries {
    const key = values.join("\u0000");
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values: [...values], counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    return s;
  }

  /** Records one observation into a series from `at`. */
  record(s: HistogramSeries, x: number): void {
    let i = 0;
    while (i < this.buckets.length && x > this.buckets[i]!) i++;
    if (i < this.buckets.length) s.counts[i]!++; // per bucket here; made cumulative when rendered
    s.sum += x;
    s.count++;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labels, s.values, `le="${b}"`)} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labels, s.values, `le="+Inf"`)} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labels, s.values)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labels, s.values)} ${s.count}\n`;
    }
    return out;
  }
}

/** A family computed from others when the metrics are scraped (nothing is counted per request). */
export class Derived implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    readonly labels: readonly string[],
    /** The series now: label values and value. */
    private readonly read: () => Iterable<[readonly string[], number]>,
  ) {}

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const [values, n] of this.read()) out += `${this.name}${labelText(this.labels, values)} ${n}\n`;
    return out;
  }
}

/** Metric families rendered together. */
export class Registry {
  private readonly families: Family[] = [];

  /** Adds a family; returns it. */
  add<F extends Family>(family: F): F {
    this.families.push(family);
    return family;
  }

  /** The text exposition of every family. */
  render(): string {
    return this.families.map((f) => f.render()).join("");
  }
}
