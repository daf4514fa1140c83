// The usage ledger's writer, in a worker thread: the main thread posts batches of rows and gets an answer per
// batch (ok, or the error), so that the database work (SQLite's inserts, or building PostgreSQL's statements)
// never holds up requests.
import { SQL } from "bun";
import { databaseKind, sqlitePath } from "../config/db/database";
import { pgInserter, sqliteInserter, type Inserter, type Row } from "./ledger-rows";

declare const self: Worker;

let inserter: Inserter | undefined;
let openError = "the database is not open";

/** Opens the database at a ledger URL: postgres://…, else a SQLite path. */
function open(url: string): Inserter {
  if (databaseKind(url) === "postgres") return pgInserter(new SQL(url, { max: 1, connectionTimeout: 5, idleTimeout: 60 }));
  return sqliteInserter(sqlitePath(url));
}

// rows come as one JSON text: cloning a string costs the main thread half what cloning 500 small arrays does
self.onmessage = async (e: MessageEvent<{ id: number; open?: string; rows?: string; prune?: number; ping?: true; close?: true }>) => {
  const { id, prune, ping, close } = e.data;
  try {
    if (e.data.open !== undefined) {
      try {
        inserter = open(e.data.open);
      } catch (err) {
        openError = (err as Error)?.message ?? String(err);
        throw err;
      }
    }
    if (e.data.rows !== undefined) {
      if (!inserter) throw new Error(openError);
      await inserter.insert(JSON.parse(e.data.rows) as Row[]);
    }
    if (prune !== undefined) await inserter?.prune(prune);
    if (ping) {
      if (!inserter) throw new Error(openError);
      await inserter.ping();
    }
    if (close) await inserter?.close();
    postMessage({ id });
  } catch (err) {
    postMessage({ id, error: (err as Error)?.message ?? String(err) });
  }
};
