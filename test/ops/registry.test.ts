// The Prometheus registry renders the text format: cumulative buckets, escaped labels.
import { expect, test } from "bun:test";
import { Counter, Gauge, Histogram, Registry } from "../../src/metrics";

test("counters, gauges and histograms in the text exposition format", () => {
  const r = new Registry();
  const c = r.add(new Counter("x_total", "X things", ["a"]));
  c.inc(['say "hi"\\n']);
  c.inc(["b"], 2.5);
  r.add(new Gauge("g", "G", () => 3, "gauge", { v: "1" }));
  const h = r.add(new Histogram("h_seconds", "H", ["m"], [0.1, 1]));
  for (const x of [0.05, 0.1, 0.5, 7]) h.observe(["m1"], x);
  expect(r.render()).toBe(
    [
      "# HELP x_total X things",
      "# TYPE x_total counter",
      'x_total{a="say \\"hi\\"\\\\n"} 1',
      'x_total{a="b"} 2.5',
      "# HELP g G",
      "# TYPE g gauge",
      'g{v="1"} 3',
      "# HELP h_seconds H",
      "# TYPE h_seconds histogram",
      'h_seconds_bucket{m="m1",le="0.1"} 2',
      'h_seconds_bucket{m="m1",le="1"} 3',
      'h_seconds_bucket{m="m1",le="+Inf"} 4',
      'h_seconds_sum{m="m1"} 7.65',
      'h_seconds_count{m="m1"} 4',
      "",
    ].join("\n"),
  );
});
