// The dashboard's login sessions: a random id in an HttpOnly, SameSite=Strict cookie, each with its own CSRF token
// that every write must echo in a header. Sessions live in memory (a restart logs everyone out), end after 12 idle
// hours or at logout, and all end when the admin key changes. A one-time login link (no admin key, loopback only)
// is a random token that opens one session and is then gone.
import { sameSecret } from "../core";

/** The cookie's name. */
export const SESSION_COOKIE = "octollm_ui";
/** A session ends after this long unused. */
export const IDLE_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

/** One signed-in browser. */
export interface UiSession {
  id: string;
  csrf: string;
  /** The admin key's fingerprint when it began (a changed key ends it). */
  keyPrint: string;
  lastSeen: number;
}

/** A random token: 32 bytes, base64url. */
export function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** Where sessions live: this process's memory, or a config database that every instance of a fleet shares. */
export interface SessionStore {
  /** Starts a session for the admin key of this fingerprint. */
  open(keyPrint: string): UiSession | Promise<UiSession>;
  /** The live session of a cookie value (undefined: none, idle too long, ended, or of another admin key). */
  get(id: string | undefined, keyPrint: string): UiSession | undefined | Promise<UiSession | undefined>;
  /** Ends one session (logout). */
  end(id: string): void | Promise<void>;
}

/** The sessions of one gateway, in its memory, and its one-time login links. */
export class UiSessions implements SessionStore {
  private readonly sessions = new Map<string, UiSession>();
  private readonly links = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts a session for the admin key of this fingerprint. */
  open(keyPrint: string): UiSession {
    if (this.sessions.size >= MAX_SESSIONS) this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!); // the oldest goes
    const session = { id: randomToken(), csrf: randomToken(), keyPrint, lastSeen: this.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of a cookie value, for the current key's fingerprint (undefined: none, idle too long, or ended). */
  get(id: string | undefined, keyPrint: string): UiSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.keyPrint !== keyPrint || this.now() - session.lastSeen > IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  /** Ends one session (logout). */
  end(id: string): void {
    this.sessions.delete(id);
  }

  /** Sessions open now. */
  get size(): number {
    return this.sessions.size;
  }

  /** A new one-time login token. */
  issueLink(): string {
    const token = randomToken();
    this.links.add(token);
    return token;
  }

  /** Uses up a one-time token: true once for a token that was issued. */
  redeem(token: string): boolean {
    for (const t of this.links) {
      if (sameSecret(t, token)) {
        this.links.delete(t);
        return true;
      }
    }
    return false;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > IDLE_MS) this.sessions.delete(id);
  }
}

/** A cookie's value from a request's Cookie header. */
export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header of a session (Secure on HTTPS); an empty id clears it. */
export function sessionCookie(id: string, secure: boolean): string {
  const life = id ? `Max-Age=${IDLE_MS / 1000}` : "Max-Age=0";
  return `${SESSION_COOKIE}=${id}; Path=/admin/ui; HttpOnly; SameSite=Strict; ${life}${secure ? "; Secure" : ""}`;
}
