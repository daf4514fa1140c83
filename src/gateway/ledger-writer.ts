// The usage ledger's writer on the main thread's side: it posts batches to the worker thread
// (ledger-writer-worker.ts) and waits for each answer; a worker that died is started again.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Row } from "./ledger-rows";

/**
 * The worker's entry: the source file beside this one, or in the compiled executable the entry point embedded
 * by scripts/build.ts, named by its path under src/.
 */
function workerEntry(): string {
  const source = new URL("./ledger-writer-worker.ts", import.meta.url);
  return source.protocol === "file:" && existsSync(fileURLToPath(source)) ? source.href : "./gateway/ledger-writer-worker.ts";
}

/** The ledger's writer in its worker thread: each call posts one message and waits for its answer; a worker that died is started again. */
export class LedgerWriter {
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private next = 0;
  private worker: Worker | undefined;

  /** The worker starts, and opens the database in it, on the first call. */
  constructor(private readonly url: string) {}

  /** Writes a batch of rows and their rollups (one transaction). */
  insert(rows: Row[]): Promise<void> {
    return this.call({ rows: JSON.stringify(rows) });
  }

  /** True when the database answers a trivial query. */
  ping(): Promise<boolean> {
    return this.call({ ping: true }).then(
      () => true,
      () => false,
    );
  }

  /** Deletes up to 5 000 raw rows older than `cutoff` (ms). */
  prune(cutoff: number): Promise<void> {
    return this.call({ prune: cutoff });
  }

  /** Closes the database, then the worker. */
  async close(): Promise<void> {
    if (!this.worker) return;
    await this.call({ close: true }).catch(() => {});
    this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker {
    const worker = new Worker(workerEntry());
    worker.onmessage = (e: MessageEvent<{ id: number; error?: string }>) => {
      const p = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      if (!this.pending.size) worker.unref(); // an idle writer does not keep the process alive
      if (e.data.error === undefined) p?.resolve();
      else p?.reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      this.worker = undefined; // the next call starts a new one
      for (const p of this.pending.values()) p.reject(new Error(`ledger writer failed: ${e.message}`));
      this.pending.clear();
      worker.terminate();
    };
    worker.postMessage({ id: this.next++, open: this.url });
    return worker;
  }

  private call(message: object): Promise<void> {
    this.worker ??= this.start();
    const id = this.next++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, ...message });
    });
  }
}
