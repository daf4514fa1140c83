// Sessions: the coding agents' sessions (Claude Code, Codex, …), most recent first, with their cost, tokens,
// cache-hit share, what the cache saved, their models and subagent requests; a session opens its requests.
import { useEffect, useState } from "preact/hooks";
import { get } from "../client";
import { count, pct, usd, when } from "../format";
import { html } from "../html";
import { navigate } from "../nav";
import { MEMORY_NOTICE } from "./requests";

/** The Sessions page. */
export function SessionsPage({ params }: { params: Record<string, string> }) {
  const [page, setPage] = useState<{ rows: Record<string, any>[]; next: string | null; source?: string } | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get<{ rows: Record<string, any>[]; next: string | null; source?: string }>("sessions", params).then(setPage, (e) => setError(e.message));
  }, [JSON.stringify(params)]);
  return html`<div class="page-head"><h1>Sessions</h1>
      <select value=${params.days ?? "7"} onChange=${(e: any) => navigate("sessions", { days: e.currentTarget.value })} aria-label="days">
        ${["1", "7", "30"].map((d) => html`<option value=${d}>last ${d === "1" ? "day" : `${d} days`}</option>`)}</select></div>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${page?.source === "memory" ? html`<p class="notice">${MEMORY_NOTICE}</p>` : null}
    ${
      page
        ? page.rows.length
          ? html`<div class="table-wrap"><table data-testid="sessions">
        <thead><tr><th>Session</th><th>Key</th><th>First seen</th><th>Last seen</th><th class="num">Requests</th><th class="num">Subagent</th><th class="num">Tokens in/out</th><th class="num">Cache hit</th><th class="num">Cost</th><th class="num">Cache saved</th><th>Models</th></tr></thead>
        <tbody>${page.rows.map(
          (s) => html`<tr class="clickable" onClick=${() => navigate("requests", { session: s.session })}>
            <td class="mono ellipsis">${s.session}</td><td>${s.org ? `${s.org}/${s.key_user}` : html`<span class="muted">anonymous</span>`}</td>
            <td>${when(s.first_ts)}</td><td>${when(s.last_ts)}</td><td class="num">${count(s.requests)}</td><td class="num">${count(s.subagent_requests)}</td>
            <td class="num">${count(s.tokens_in)} / ${count(s.tokens_out)}</td><td class="num">${pct(s.cache_hit_pct)}</td>
            <td class="num">${usd(s.cost_usd)}</td><td class="num">${usd(s.cache_saved_usd)}</td>
            <td>${Object.entries(s.models as Record<string, number>).map(([m, n]) => html`<span class="chip">${m} ×${n}</span>`)}</td></tr>`,
        )}</tbody></table></div>`
          : html`<p class="muted">No agent sessions yet: Claude Code, Codex and clients that send a session id show here.</p>`
        : html`<p class="muted">Loading…</p>`
    }
    <div class="pager">${page?.next ? html`<button onClick=${() => navigate("sessions", { ...params, before: page.next! })}>Older →</button>` : null}</div>`;
}
