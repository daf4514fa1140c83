// Backends: every model's backends with their circuit state, and what their requests of the last 15 minutes did.
import { useEffect, useState } from "preact/hooks";
import { get } from "../client";
import { count, ms, pct, when } from "../format";
import { html } from "../html";

/** The Backends page (refreshed every five seconds). */
export function BackendsPage() {
  const [data, setData] = useState<{ backends: Record<string, any>[] } | null>(null);
  useEffect(() => {
    const load = () => get<{ backends: Record<string, any>[] }>("backends").then(setData, () => {});
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  if (!data) return html`<p class="muted">Loading…</p>`;
  return html`<div class="page-head"><h1>Backends</h1><span class="muted small">last 15 minutes</span></div>
    <div class="table-wrap"><table data-testid="backends">
      <thead><tr><th>Model / backend</th><th>Health</th><th class="num">Streaming</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">p50</th><th class="num">p95</th><th class="num">TTFT p50</th><th class="num">TTFT p95</th><th class="num">Cache read</th><th>Last error</th></tr></thead>
      <tbody>${data.backends.map(
        (b) => html`<tr><td>${b.model} <span class="muted">/ ${b.backend}</span></td>
          <td><span class=${`health ${b.state}`}>${b.state === "closed" ? "healthy" : b.state === "open" ? `cooling down, ${Math.ceil(b.rest_left_ms / 1000)} s left` : "probing"}</span></td>
          <td class="num">${count(b.streaming)}</td><td class="num">${count(b.requests)}</td><td class="num">${pct(b.error_pct)}${b.failed_attempts ? html` <span class="muted">(${b.failed_attempts} failed attempts)</span>` : null}</td>
          <td class="num">${ms(b.p50_ms)}</td><td class="num">${ms(b.p95_ms)}</td><td class="num">${ms(b.p50_ttft_ms)}</td><td class="num">${ms(b.p95_ttft_ms)}</td>
          <td class="num">${pct(b.cache_read_pct)}</td>
          <td class="ellipsis">${b.last_error ? html`<span class="error" title=${b.last_error.message}>${when(b.last_error.at)} ${b.last_error.status || ""} ${b.last_error.message}</span>` : ""}</td></tr>`,
      )}</tbody></table></div>`;
}
