// The dashboard app: sign-in, the navigation, and the page the address names.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type ApiError, get, send, signIn, useSession, type Who } from "./client";
import { html } from "./html";
import { navigate, useLocation } from "./nav";
import { BackendsPage } from "./pages/backends";
import { KeysPage } from "./pages/keys";
import { LivePage } from "./pages/live";
import { RequestsPage } from "./pages/requests";
import { SessionsPage } from "./pages/sessions";
import { SpendPage } from "./pages/spend";

const PAGES = [
  ["live", "Live"],
  ["requests", "Requests"],
  ["spend", "Spend"],
  ["backends", "Backends"],
  ["sessions", "Sessions"],
  ["keys", "Keys"],
] as const;

/** Follows a navigation link inside the app (no page load). */
function go(e: Event, page: string): void {
  e.preventDefault();
  navigate(page);
}

function Login({ done }: { done: (who: Who) => void }) {
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    const key = String(new FormData(e.currentTarget as HTMLFormElement).get("key") ?? "");
    try {
      done(await signIn(key));
    } catch (err) {
      setError((err as ApiError).message);
    }
  };
  return html`<main class="login"><form onSubmit=${submit} class="card">
    <h1><span class="logo">◉</span> OctoLLM</h1>
    <label>Admin key<input type="password" name="key" autocomplete="current-password" required autofocus /></label>
    ${error ? html`<p class="error" data-testid="login-error">${error}</p>` : null}
    <button type="submit">Sign in</button>
    <p class="muted small">No admin key set? Open the one-time link the gateway printed when it started.</p>
  </form></main>`;
}

function App() {
  const [who, setWho] = useState<Who | null | undefined>(undefined);
  const { page, params } = useLocation();
  useSession(who ?? undefined, () => setWho(null));
  useEffect(() => {
    get<Who>("session").then(
      (w) => setWho(w.signed_in ? w : null),
      () => setWho(null),
    );
  }, []);
  if (who === undefined) return html`<p class="muted center">Loading…</p>`;
  if (who === null) return html`<${Login} done=${setWho} />`;
  const signOut = async () => {
    await send("POST", "logout").catch(() => {});
    setWho(null);
  };
  const content =
    page === "requests"
      ? html`<${RequestsPage} params=${params} />`
      : page === "spend"
        ? html`<${SpendPage} params=${params} />`
        : page === "backends"
          ? html`<${BackendsPage} />`
          : page === "sessions"
            ? html`<${SessionsPage} params=${params} />`
            : page === "keys"
              ? html`<${KeysPage} who=${who} />`
              : html`<${LivePage} signedOut=${() => setWho(null)} />`;
  return html`<div class="shell">
    <nav class="nav"><span class="brand"><span class="logo">◉</span> OctoLLM</span>
      ${PAGES.map(([id, label]) => html`<a href=${`/admin/ui/${id}`} class=${page === id ? "active" : ""} onClick=${(e: Event) => go(e, id)}>${label}</a>`)}
      <span class="spacer"></span>${who.ledger ? null : html`<span class="muted small" title="set server.usage_db">no ledger</span>`}
      <button class="ghost" onClick=${signOut} data-testid="sign-out">Sign out</button></nav>
    <main class="content">${content}</main></div>`;
}

render(html`<${App} />`, document.getElementById("app")!);
