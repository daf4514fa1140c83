// A time-series chart (uPlot) that fills its container's width and follows it when it resizes.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "./html";

/** One line of a chart. */
export interface Line {
  label: string;
  /** Shade of the accent: 0 is the accent itself, 1 the lightest. */
  shade?: number;
  bars?: boolean;
  format?: (v: number) => string;
}

/** The accent colour, in shades (the one colour the dashboard uses for data). */
export function shade(k: number, alpha = 1): string {
  const light = 42 + Math.round(k * 38);
  return `hsla(212, 72%, ${light}%, ${alpha})`;
}

/** A chart of x (seconds since 1970) against one or more lines. */
export function Chart({ x, lines, values, height = 180 }: { x: number[]; lines: Line[]; values: (number | null)[][]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: lines.length > 1 },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { stroke: "currentColor", grid: { stroke: "rgba(127,127,127,0.15)" } },
        { stroke: "currentColor", grid: { stroke: "rgba(127,127,127,0.15)" }, values: (_u, ticks) => ticks.map((t) => lines[0]?.format?.(t) ?? String(t)) },
      ],
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: shade(l.shade ?? 0),
          fill: shade(l.shade ?? 0, l.bars ? 0.7 : 0.12),
          width: 2,
          points: { show: !l.bars },
          paths: l.bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined,
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : (l.format?.(v) ?? String(v))),
        })),
      ],
    };
    plot.current = new uPlot(opts, [x, ...values] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [lines.map((l) => l.label).join("|"), height]);
  useEffect(() => {
    plot.current?.setData([x, ...values] as uPlot.AlignedData);
  }, [x, values]);
  return html`<div class="chart" ref=${box}></div>`;
}
