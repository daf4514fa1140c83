// The dashboard's calls to its API: reads, writes with the session's CSRF token, and a signed-out signal.

/** What the signed-in session knows about the gateway. */
export interface Who {
  signed_in: boolean;
  csrf: string;
  mode: "file" | "database" | "config";
  writable: boolean;
  ledger: boolean;
}

/** An API error with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrf = "";
let onSignedOut: () => void = () => {};

/** Remembers the session's CSRF token and what to do when the session ends. */
export function useSession(who: Who | undefined, signedOut: () => void): void {
  csrf = who?.csrf ?? "";
  onSignedOut = signedOut;
}

async function answer<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (res.status === 401) onSignedOut();
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

/** GET /admin/ui/api/<path>?<params> (empty params left out). */
export async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const qs = q.toString();
  return answer<T>(await fetch(`/admin/ui/api/${path}${qs ? `?${qs}` : ""}`, { credentials: "same-origin" }));
}

/** A write (POST, PUT, DELETE) with the CSRF token. */
export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "x-csrf-token": csrf };
  if (body !== undefined) headers["content-type"] = "application/json";
  return answer<T>(
    await fetch(`/admin/ui/api/${path}`, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) }),
  );
}

/** Signs in with the admin key. */
export async function signIn(key: string): Promise<Who> {
  const res = await fetch("/admin/ui/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }) });
  const body = (await res.json().catch(() => ({}))) as Who & { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`);
  return body;
}
