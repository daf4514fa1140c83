// A backend's upstream keys: one key, or several spread over sessions. A session keeps its key (weighted rendezvous
// hashing on the session, as the balancer keeps it on one backend), so the provider's prompt cache and rate buckets
// for that key stay warm; requests without a session take the keys in turn. Removing a key moves only its sessions.
import type { LLMRequest } from "../../core";
import { rendezvousOrder, sessionKeyOf } from "../balancer/affinity";

/** The keys of one backend and the choice among them. */
export class UpstreamKeys {
  private next = 0;
  private readonly ranked: { item: string; name: string; weight: number }[];

  constructor(readonly all: readonly string[]) {
    // ranked by an index-free name: a key's place in the list does not decide its sessions, so removing one moves only its own
    this.ranked = all.map((k) => ({ item: k, name: String(Bun.hash.wyhash(k)), weight: 1 }));
  }

  /** The key for a request (undefined: the backend has none). */
  pick(req: LLMRequest): string | undefined {
    if (this.all.length <= 1) return this.all[0];
    const session = sessionKeyOf(req);
    if (session) return rendezvousOrder(session, this.ranked)[0];
    this.next = (this.next + 1) % this.all.length;
    return this.all[this.next];
  }
}
