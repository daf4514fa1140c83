// Live: tiles and 15-minute series that update every two seconds over server-sent events, and the last requests.
import { useEffect, useState } from "preact/hooks";
import { Chart } from "../chart";
import { get } from "../client";
import { count, ms, pct, usd, when } from "../format";
import { html } from "../html";
import { navigate } from "../nav";

/** A snapshot as the API sends it. */
interface Snapshot {
  at: number;
  tiles: Record<string, number | null | string>;
  series: { t: number; requests: number; errors: number; p95_ms: number | null; cost_usd: number }[];
  tail: Record<string, any>[];
}

function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return html`<div class="tile"><div class="tile-label">${label}</div><div class="tile-value">${value}</div>${hint ? html`<div class="tile-hint">${hint}</div>` : null}</div>`;
}

/** The Live page. */
export function LivePage({ signedOut }: { signedOut: () => void }) {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    get<Snapshot>("live").then(setSnap, () => {});
    const events = new EventSource("/admin/ui/api/live/stream");
    events.onmessage = (e) => {
      setConnected(true);
      setSnap(JSON.parse(e.data));
    };
    events.onerror = () => setConnected(false);
    events.addEventListener("signed-out", () => {
      events.close();
      signedOut();
    });
    return () => events.close();
  }, []);
  if (!snap) return html`<p class="muted">Loading…</p>`;
  const t = snap.tiles;
  const x = snap.series.map((p) => p.t / 1000);
  return html`
    <div class="page-head"><h1>Live</h1><span class=${`dot ${connected ? "on" : ""}`} title=${connected ? "updating" : "reconnecting"}></span><span class="muted small" data-testid="live-at">${when(snap.at)}</span></div>
    <div class="tiles">
      <${Tile} label="Requests / s" value=${String(t.requests_per_s)} hint="last minute" />
      <${Tile} label="Errors" value=${pct(t.error_pct as number)} hint="last 5 minutes" />
      <${Tile} label="p95 latency" value=${ms(t.p95_ms as number | null)} hint="last 5 minutes" />
      <${Tile} label="p95 first token" value=${ms(t.p95_ttft_ms as number | null)} hint="streamed, last 5 minutes" />
      <${Tile} label="Streams now" value=${t.streams_in_flight === null ? "–" : String(t.streams_in_flight)} hint="answers streaming out" />
      <${Tile} label="Spend today" value=${usd(t.spend_today_usd as number)} hint=${t.spend_source === "ledger" ? "UTC day, ledger" : "UTC day, since start"} />
    </div>
    <div class="grid2">
      <section class="card"><h2>Requests per 10 s</h2>
        <${Chart} x=${x} lines=${[{ label: "requests", bars: true }, { label: "errors", shade: 0.55, bars: true }]} values=${[snap.series.map((p) => p.requests), snap.series.map((p) => p.errors)]} />
      </section>
      <section class="card"><h2>p95 latency</h2>
        <${Chart} x=${x} lines=${[{ label: "p95", format: (v: number) => ms(v) }]} values=${[snap.series.map((p) => p.p95_ms)]} />
      </section>
    </div>
    <section class="card"><h2>Last requests</h2>
      <div class="table-wrap"><table data-testid="tail">
        <thead><tr><th>Time</th><th>Key</th><th>Model → backend</th><th>Status</th><th class="num">Tokens in/out</th><th class="num">Cost</th><th class="num">Latency</th><th class="num">TTFT</th></tr></thead>
        <tbody>${snap.tail.map(
          (r) => html`<tr class="clickable" onClick=${() => navigate("requests", { rid: r.rid })}>
            <td>${when(r.at)}</td><td>${r.org ? `${r.org}/${r.user}` : html`<span class="muted">anonymous</span>`}</td>
            <td>${r.model ?? "–"}${r.backend ? html` <span class="muted">→ ${r.backend}</span>` : null}</td>
            <td><span class=${`status s${String(r.status)[0]}`}>${r.status}</span></td>
            <td class="num">${count(r.tokens_in)} / ${count(r.tokens_out)}</td><td class="num">${usd(r.cost_usd)}</td>
            <td class="num">${ms(r.ms)}</td><td class="num">${ms(r.ttft_ms)}</td></tr>`,
        )}</tbody>
      </table></div>
      ${snap.tail.length === 0 ? html`<p class="muted">No requests yet. Send one to this gateway and it shows here within two seconds.</p>` : null}
    </section>`;
}
