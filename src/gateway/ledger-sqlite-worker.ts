// The usage ledger's SQLite writer, in a worker thread: the main thread posts batches of rows and gets an
// answer per batch (ok, or the error), so that SQLite's work never holds up requests.
import { sqliteInserter, type Row } from "./ledger-rows";

declare const self: Worker;

let inserter: ReturnType<typeof sqliteInserter> | undefined;
let openError = "the database is not open";

// rows come as one JSON text: cloning a string costs the main thread half what cloning 500 small arrays does
self.onmessage = (e: MessageEvent<{ id: number; open?: string; rows?: string; prune?: number; close?: true }>) => {
  const { id, open, prune, close } = e.data;
  try {
    const rows = e.data.rows === undefined ? undefined : (JSON.parse(e.data.rows) as Row[]);
    if (open !== undefined) {
      try {
        inserter = sqliteInserter(open);
      } catch (err) {
        openError = (err as Error)?.message ?? String(err);
        throw err;
      }
    }
    if (rows) {
      if (!inserter) throw new Error(openError);
      inserter.insert(rows);
    }
    if (prune !== undefined) inserter?.prune(prune);
    if (close) inserter?.close();
    postMessage({ id });
  } catch (err) {
    postMessage({ id, error: (err as Error)?.message ?? String(err) });
  }
};
