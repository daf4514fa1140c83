// Requests: the ledger's rows, newest first, filtered by the address's query (org, key, model, backend, session,
// status), a page at a time (keyset: "older" follows a cursor); a row opens its detail in a drawer.
import { useEffect, useState } from "preact/hooks";
import { get } from "../client";
import { count, ms, usd, when } from "../format";
import { html } from "../html";
import { navigate } from "../nav";

const FILTERS = ["org", "key", "model", "backend", "session", "status"] as const;

/** What a page from memory says (a gateway without a usage ledger). */
export const MEMORY_NOTICE =
  "No usage ledger: these are the last requests this gateway holds in memory (up to 8 192, gone at restart). Set server.usage_db to keep every request, and spend per day.";

/** The Requests page. */
export function RequestsPage({ params }: { params: Record<string, string> }) {
  const [page, setPage] = useState<{ rows: Record<string, any>[]; next: string | null; source?: string } | null>(null);
  const [error, setError] = useState("");
  const [draft, setDraft] = useState<Record<string, string>>(params);
  const query = JSON.stringify(params);
  useEffect(() => {
    setDraft(params);
    const { rid: _rid, from, to, ...filters } = params;
    // the address keeps the times as typed (local); the API takes ms
    const ms = (local: string | undefined) => (local && !Number.isNaN(Date.parse(local)) ? String(Date.parse(local)) : undefined);
    get<{ rows: Record<string, any>[]; next: string | null; source?: string }>("requests", { ...filters, from_ms: ms(from), to_ms: ms(to) }).then(
      (p) => {
        setPage(p);
        setError("");
      },
      (e) => setError(e.message),
    );
  }, [query.replace(/"rid":"[^"]*",?/, "")]);
  const apply = (e: Event) => {
    e.preventDefault();
    const { before: _b, rid: _r, ...rest } = draft;
    navigate("requests", rest);
  };
  return html`
    <div class="page-head"><h1>Requests</h1></div>
    <form class="filters" onSubmit=${apply} data-testid="filters">
      ${FILTERS.filter((f) => f !== "status").map(
        (f) => html`<label>${f}<input name=${f} value=${draft[f] ?? ""} onInput=${(e: any) => setDraft({ ...draft, [f]: e.currentTarget.value })} /></label>`,
      )}
      ${(["from", "to"] as const).map(
        (f) =>
          html`<label>${f}<input type="datetime-local" name=${f} value=${draft[f] ?? ""} onInput=${(e: any) => setDraft({ ...draft, [f]: e.currentTarget.value })} /></label>`,
      )}
      <label>status<select name="status" value=${draft.status ?? ""} onChange=${(e: any) => setDraft({ ...draft, status: e.currentTarget.value })}>
        <option value="">any</option><option value="ok">ok</option><option value="error">errors</option></select></label>
      <button type="submit">Apply</button>
      <button type="button" class="ghost" onClick=${() => navigate("requests")}>Clear</button>
    </form>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${page?.source === "memory" ? html`<p class="notice" data-testid="memory-notice">${MEMORY_NOTICE}</p>` : null}
    ${page ? html`<${Table} rows=${page.rows} params=${params} />` : error ? null : html`<p class="muted">Loading…</p>`}
    <div class="pager">
      ${params.before ? html`<button class="ghost" onClick=${() => navigate("requests", { ...params, before: undefined, rid: undefined })}>← Newest</button>` : null}
      ${page?.next ? html`<button data-testid="older" onClick=${() => navigate("requests", { ...params, before: page.next!, rid: undefined })}>Older →</button>` : null}
    </div>
    ${params.rid ? html`<${Drawer} rid=${params.rid} close=${() => navigate("requests", { ...params, rid: undefined })} />` : null}`;
}

function Table({ rows, params }: { rows: Record<string, any>[]; params: Record<string, string> }) {
  if (!rows.length) return html`<p class="muted">No requests match.</p>`;
  return html`<div class="table-wrap"><table data-testid="requests">
    <thead><tr><th>Time</th><th>Key</th><th>Model → backend</th><th>Status</th><th class="num">In</th><th class="num">Out</th><th class="num">Cached</th><th class="num">Cost</th><th class="num">Latency</th><th class="num">TTFT</th><th>Session</th><th>Agent</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr class="clickable" onClick=${() => navigate("requests", { ...params, rid: r.request_id })}>
        <td>${when(r.ts)}</td><td>${r.org ? `${r.org}/${r.key_user}` : html`<span class="muted">anonymous</span>`}</td>
        <td>${r.model ?? "–"}${r.backend ? html` <span class="muted">→ ${r.backend}</span>` : null}</td>
        <td><span class=${`status s${String(r.status)[0]}`}>${r.status}</span>${r.estimate ? html` <span class="badge" title=${`usage estimated: ${r.estimate}`}>est.</span>` : null}</td>
        <td class="num">${count(r.tokens_in)}</td><td class="num">${count(r.tokens_out)}</td><td class="num">${count(r.cache_read)}</td>
        <td class="num">${usd(r.cost_usd)}</td><td class="num">${ms(r.ms)}</td><td class="num">${ms(r.ttft_ms)}</td>
        <td class="mono ellipsis">${r.session ?? ""}</td><td>${r.agent ? "subagent" : ""}</td></tr>`,
    )}</tbody></table></div>`;
}

/** Follows a link inside the app (no page load). */
function follow(e: Event, params: Record<string, string>): void {
  e.preventDefault();
  navigate("requests", params);
}

function Drawer({ rid, close }: { rid: string; close: () => void }) {
  const [row, setRow] = useState<Record<string, any> | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setRow(null);
    get<Record<string, any>>(`requests/${encodeURIComponent(rid)}`).then(setRow, (e) => setError(e.message));
  }, [rid]);
  const failed = Array.isArray(row?.upstream_errors) ? (row!.upstream_errors as { backend: string; kind: string }[]) : [];
  return html`<aside class="drawer" data-testid="drawer"><div class="drawer-head"><h2>Request</h2><button class="ghost" onClick=${close} aria-label="Close">✕</button></div>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${
      row
        ? html`<dl>
        <dt>Request id</dt><dd class="mono">${row.request_id}</dd>
        <dt>Time</dt><dd>${new Date(row.ts).toISOString()}</dd>
        <dt>Key</dt><dd>${row.org ? `${row.org}/${row.key_user}` : "anonymous"}</dd>
        <dt>Model</dt><dd>${row.model ?? "–"} → ${row.backend ?? "no backend"}${row.upstream_model ? ` (${row.upstream_model})` : ""}</dd>
        <dt>Status</dt><dd>${row.status}${row.outcome ? ` · ${row.outcome}` : ""}</dd>
        <dt>Attempts</dt><dd>${row.attempts ?? 1}${failed.length ? html`<ul>${failed.map((f) => html`<li>${f.backend}: ${f.kind}</li>`)}</ul>` : null}</dd>
        ${row.error ? html`<dt>Error</dt><dd class="error">${row.error}</dd>` : null}
        <dt>Tokens</dt><dd>${count(row.tokens_in)} in (${count(row.cache_read)} cache read, ${count(row.cache_write)} written) · ${count(row.tokens_out)} out</dd>
        <dt>Usage</dt><dd>${row.estimate ? html`<span class="badge">estimated</span> by ${row.estimate}` : "as the answer reported it"}</dd>
        <dt>Cost</dt><dd>${usd(row.cost_usd)}${row.cache_saved_usd ? ` · cache saved ${usd(row.cache_saved_usd)}` : ""}</dd>
        <dt>Latency</dt><dd>${ms(row.ms)}${row.ttft_ms !== null ? ` · first token ${ms(row.ttft_ms)}` : ""}</dd>
        <dt>Session</dt><dd class="mono">${row.session ? html`<a href=${`/admin/ui/requests?session=${encodeURIComponent(row.session)}`} onClick=${(e: Event) => follow(e, { session: row.session })}>${row.session}</a>` : "–"}${row.agent ? ` · subagent ${row.agent}` : ""}</dd>
      </dl>`
        : error
          ? null
          : html`<p class="muted">Loading…</p>`
    }
  </aside>`;
}
