// Who owns each stored response: the org that created it, its model, the backend that stores it and the tokens
// it holds (a continued conversation is billed them again). Every response id the gateway sees is recorded,
// streamed ones too; an id that is not recorded, or is another org's, is never reached. In memory (bounded,
// expiring), or in Redis when the gateway has one, so every instance and a restart agree.
import { RedisClient } from "bun";
import { GatewayError, log, type Logger } from "../../core";

/** Where a response id came from. */
export interface ResponseOrigin {
  org: string;
  model: string;
  /** The backend that stores it. */
  backend?: string;
  /** Its input and output tokens: what continuing from it bills again as input. */
  tokens?: number;
}

/** The owners of response ids. */
export interface ResponseOwners {
  /** Records a response id (never throws; a store that fails is logged). */
  record(id: string, origin: ResponseOrigin): void;
  /** Where a response id came from, or undefined when it is not known (throws when the store cannot answer). */
  get(id: string): Promise<ResponseOrigin | undefined>;
  close?(): Promise<void>;
}

/** A bounded, expiring map of response id → origin, in this process (the oldest go first). */
export class MemoryResponseOwners implements ResponseOwners {
  private readonly map = new Map<string, ResponseOrigin & { at: number }>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 24 * 3600_000,
  ) {}

  record(id: string, origin: ResponseOrigin): void {
    this.map.delete(id);
    this.map.set(id, { ...origin, at: Date.now() });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  /** The origin now (this store never waits). */
  peek(id: string): ResponseOrigin | undefined {
    const hit = this.map.get(id);
    if (!hit) return undefined;
    if (Date.now() - hit.at > this.ttlMs) {
      this.map.delete(id);
      return undefined;
    }
    return hit;
  }

  get(id: string): Promise<ResponseOrigin | undefined> {
    return Promise.resolve(this.peek(id));
  }
}

/** Response owners in Redis (30 days, as long as OpenAI keeps a response), with this instance's own records in memory first. */
export class RedisResponseOwners implements ResponseOwners {
  private readonly client: RedisClient;
  private readonly local = new MemoryResponseOwners(10_000);
  private warned = false;
  private connecting: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly prefix = "octollm:",
    private readonly ttlSeconds = 30 * 86_400,
    private readonly logger: Logger = log,
  ) {
    this.client = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: false, connectionTimeout: 2_000 });
  }

  private key(id: string): string {
    return `${this.prefix}resp:${id}`;
  }

  /** Connects first when not connected (the client queues nothing while offline). */
  private async connected(): Promise<RedisClient> {
    if (!this.client.connected) {
      this.connecting ??= this.client.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    return this.client;
  }

  record(id: string, origin: ResponseOrigin): void {
    this.local.record(id, origin);
    this.connected()
      .then((c) => c.send("SET", [this.key(id), JSON.stringify(origin), "EX", String(this.ttlSeconds)]))
      .catch((err) => {
        if (this.warned) return;
        this.warned = true;
        this.logger.warn("stored responses: an owner could not be written to Redis; other instances will not find it", { error: String(err?.message ?? err) });
      });
  }

  async get(id: string): Promise<ResponseOrigin | undefined> {
    const own = this.local.peek(id);
    if (own) return own;
    // another instance may have written it a moment ago: a miss is asked once more
    const raw = (await this.read(id)) ?? (await Bun.sleep(100).then(() => this.read(id)));
    if (!raw) return undefined;
    try {
      const o = JSON.parse(raw) as ResponseOrigin;
      return typeof o?.org === "string" && typeof o.model === "string" ? o : undefined;
    } catch {
      return undefined;
    }
  }

  private async read(id: string): Promise<string | null> {
    try {
      return await (await this.connected()).get(this.key(id));
    } catch (err) {
      throw new GatewayError("overloaded", `stored responses cannot be checked right now (${(err as Error)?.message ?? err})`, { status: 503 });
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
