// Spend: cost per day over the last days, by org, key, model or backend (the ledger's daily rollups), and each
// budget's bar: spent against its amount in its period.
import { useEffect, useState } from "preact/hooks";
import { Chart } from "../chart";
import { get } from "../client";
import { count, usd, when } from "../format";
import { html } from "../html";
import { navigate } from "../nav";

interface SpendAnswer {
  since: string;
  by: string;
  rows: { day: string; group: string; cost_usd: number; requests: number; tokens: number }[] | null;
  budgets: { org: string; scope: string; period: string; usd: number; spent: number; remaining: number; resets_at: string | null }[] | null;
  ledger: boolean;
}

/** The Spend page. */
export function SpendPage({ params }: { params: Record<string, string> }) {
  const by = params.by ?? "model";
  const days = params.days ?? "30";
  const [data, setData] = useState<SpendAnswer | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get<SpendAnswer>("spend", { by, days }).then(setData, (e) => setError(e.message));
  }, [by, days]);
  const rows = data?.rows ?? [];
  const dayList: string[] = [];
  for (let t = Date.parse(`${data?.since ?? new Date().toISOString().slice(0, 10)}T00:00:00Z`); t <= Date.now(); t += 86_400_000)
    dayList.push(new Date(t).toISOString().slice(0, 10));
  const perDay = dayList.map((d) => rows.filter((r) => r.day === d).reduce((n, r) => n + r.cost_usd, 0));
  const groups = new Map<string, { cost: number; requests: number; tokens: number }>();
  for (const r of rows) {
    const g = groups.get(r.group) ?? { cost: 0, requests: 0, tokens: 0 };
    g.cost += r.cost_usd;
    g.requests += r.requests;
    g.tokens += r.tokens;
    groups.set(r.group, g);
  }
  const total = [...groups.values()].reduce((n, g) => n + g.cost, 0);
  // the chart: each of the four costliest groups per day, the rest together, in shades of the accent
  const ranked = [...groups.entries()].sort((a, b) => b[1].cost - a[1].cost).map(([g]) => g);
  const top = ranked.slice(0, 4);
  const lineOf = (g: string) => (top.includes(g) ? g : "others");
  const names = ranked.length > 4 ? [...top, "others"] : top;
  const perGroup = names.map((name) => dayList.map((d) => rows.filter((r) => r.day === d && lineOf(r.group) === name).reduce((n, r) => n + r.cost_usd, 0)));
  return html`
    <div class="page-head"><h1>Spend</h1>
      <div class="segmented">${["org", "key", "model", "backend"].map(
        (b) => html`<button class=${b === by ? "active" : ""} onClick=${() => navigate("spend", { ...params, by: b })}>${b}</button>`,
      )}</div>
      <select value=${days} onChange=${(e: any) => navigate("spend", { ...params, days: e.currentTarget.value })} aria-label="days">
        ${["7", "30", "90"].map((d) => html`<option value=${d}>last ${d} days</option>`)}</select>
    </div>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${data && !data.ledger ? html`<p class="muted">No usage ledger: set <code>server.usage_db</code> to keep spend per day.</p>` : null}
    <section class="card"><h2>Cost per day <span class="muted">${usd(total)} in all</span></h2>
      <${Chart}
        x=${dayList.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000)}
        lines=${names.length ? names.map((n, i) => ({ label: n || "none", shade: i / Math.max(1, names.length), format: (v: number) => usd(v) })) : [{ label: "cost", format: (v: number) => usd(v) }]}
        values=${names.length ? perGroup : [perDay]}
      />
    </section>
    <section class="card"><h2>By ${by}</h2>
      <div class="table-wrap"><table data-testid="spend">
        <thead><tr><th>${by}</th><th class="num">Requests</th><th class="num">Tokens</th><th class="num">Cost</th><th class="bar-col">Share</th></tr></thead>
        <tbody>${[...groups.entries()]
          .sort((a, b) => b[1].cost - a[1].cost)
          .map(
            ([
              g,
              v,
            ]) => html`<tr><td>${g || html`<span class="muted">none</span>`}</td><td class="num">${count(v.requests)}</td><td class="num">${count(v.tokens)}</td><td class="num">${usd(v.cost)}</td>
              <td class="bar-col"><div class="bar"><span style=${{ width: `${total ? (v.cost / total) * 100 : 0}%` }}></span></div></td></tr>`,
          )}</tbody></table></div>
    </section>
    <section class="card"><h2>Budgets</h2>
      ${
        data?.budgets?.length
          ? html`<div class="budgets" data-testid="budgets">${data.budgets.map((b) => {
              const share = b.usd > 0 ? Math.min(1, b.spent / b.usd) : 1;
              return html`<div class="budget"><div class="budget-head"><span>${b.scope}</span><span class="muted">${b.period}</span><span class="num">${usd(b.spent)} of ${usd(b.usd)}</span></div>
              <div class="muted small">${b.resets_at ? `starts over ${when(Date.parse(b.resets_at))}` : "never starts over"}</div>
              <div class=${`bar big ${share >= 1 ? "full" : share >= 0.8 ? "near" : ""}`}><span style=${{ width: `${share * 100}%` }}></span></div></div>`;
            })}</div>`
          : html`<p class="muted">No budgets are set.</p>`
      }
    </section>`;
}
