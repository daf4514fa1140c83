// Keys and orgs: every org with its keys and budgets. On a config database: create a key (shown once), revoke
// one, set an org's budgets, all through the admin API. A config file is read-only here.
import { useEffect, useState } from "preact/hooks";
import { get, send, type Who } from "../client";
import { usd } from "../format";
import { html } from "../html";

interface Org {
  name: string;
  models: string[];
  budgets: Record<string, number | string> | null;
  key_budgets: Record<string, number | string> | null;
  keys: { id?: string; user: string; hint: string; created_at?: string }[];
}

function budgetText(b: Record<string, number | string> | null): string {
  if (!b) return "none";
  const parts = [
    b.usd_per_day && `${usd(Number(b.usd_per_day))}/day`,
    b.usd_per_month && `${usd(Number(b.usd_per_month))}/month`,
    b.usd_total && `${usd(Number(b.usd_total))} total`,
  ];
  return parts.filter(Boolean).join(", ") || "none";
}

/** The Keys and orgs page. */
export function KeysPage({ who }: { who: Who }) {
  const [data, setData] = useState<{ writable: boolean; mode: string; orgs: Org[] } | null>(null);
  const [message, setMessage] = useState<{ text: string; error?: boolean; key?: string } | null>(null);
  const load = () => get<{ writable: boolean; mode: string; orgs: Org[] }>("keys").then(setData, (e) => setMessage({ text: e.message, error: true }));
  useEffect(() => void load(), []);
  const act = async (what: () => Promise<any>, done: (r: any) => { text: string; key?: string }) => {
    try {
      setMessage(done(await what()));
      await load();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  };
  const create = (e: Event, org: string) => {
    e.preventDefault();
    const user = String(new FormData(e.currentTarget as HTMLFormElement).get("user") ?? "");
    void act(
      () => send("POST", "keys", { org, user }),
      (r) => ({ text: `Key for ${org}/${user} created. Copy it now: it is not shown again.`, key: r.key }),
    );
  };
  const revoke = (id: string, label: string) => {
    if (confirm(`Revoke the key of ${label}? Requests with it are refused from now on.`))
      void act(
        () => send("DELETE", `keys/${id}`),
        () => ({ text: `Key of ${label} revoked.` }),
      );
  };
  const setBudget = (e: Event, org: string) => {
    e.preventDefault();
    const day = String(new FormData(e.currentTarget as HTMLFormElement).get("usd_per_day") ?? "");
    const budgets = day === "" ? null : { usd_per_day: Number(day) };
    void act(
      () => send("PUT", `orgs/${encodeURIComponent(org)}/budgets`, { budgets }),
      () => ({ text: `Budget of ${org} ${budgets ? "set" : "removed"}.` }),
    );
  };
  if (!data) return html`<p class="muted">Loading…</p>`;
  return html`<div class="page-head"><h1>Keys and orgs</h1><span class="muted small">${data.writable ? "config database: changes apply to every instance" : "read-only: this gateway reads a config file (edit it to change keys)"}</span></div>
    ${message ? html`<p class=${message.error ? "error" : "notice"} data-testid="message">${message.text}${message.key ? html`<br /><code class="secret" data-testid="new-key">${message.key}</code>` : null}</p>` : null}
    ${data.orgs.map(
      (o) => html`<section class="card" data-testid=${`org-${o.name}`}><h2>${o.name}</h2>
        <p class="muted small">models: ${o.models.join(", ") || "none"} · budget: ${budgetText(o.budgets)} · per key: ${budgetText(o.key_budgets)}</p>
        <div class="table-wrap"><table><thead><tr><th>User</th><th>Key</th><th>Created</th>${data.writable ? html`<th></th>` : null}</tr></thead>
        <tbody>${o.keys.map(
          (k) => html`<tr><td>${k.user}</td><td class="mono">${k.hint}</td><td>${k.created_at?.slice(0, 10) ?? ""}</td>
            ${data.writable ? html`<td><button class="danger" onClick=${() => revoke(k.id!, `${o.name}/${k.user}`)}>Revoke</button></td>` : null}</tr>`,
        )}</tbody></table></div>
        ${
          data.writable
            ? html`<div class="row-forms"><form class="inline" onSubmit=${(e: Event) => create(e, o.name)}><input name="user" placeholder="user" required pattern="[A-Za-z0-9_.@\\-]{1,128}" title="letters, digits, _ . @ or -" /><button type="submit">Create key</button></form>
            <form class="inline" onSubmit=${(e: Event) => setBudget(e, o.name)}><input name="usd_per_day" type="number" min="0" step="0.01" placeholder="USD per day (empty: none)" /><button type="submit">Set budget</button></form></div>`
            : null
        }
      </section>`,
    )}
    ${data.orgs.length === 0 ? html`<p class="muted">No orgs: every request is anonymous. Add orgs (users:) with API keys to the config.</p>` : null}
    <p class="muted small">Signed in to a ${who.mode} gateway.</p>`;
}
