// #23.4: one request must not stop the ledger. A client's model name with NUL or a lone surrogate is cleaned before
// any store sees it, and a batch the database refuses for its content is written row by row: the bad row is dropped
// and counted, the rows after it are written, nothing is retried forever.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { expect, test } from "bun:test";
import { openDatabase } from "../../src/config";
import { UsageLedger } from "../../src/gateway/ledger";
import { storeText } from "../../src/core";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { mockLedgerGateway } from "../helpers/gateway";

test("storeText removes NUL, mends lone surrogates and bounds the length", () => {
  expect(storeText("a\u0000b")).toBe("ab");
  expect(storeText("x\ud800y")).toBe("x\ufffdy");
  expect(storeText("é".repeat(1000))!.length).toBe(256);
  expect(storeText(`${"a".repeat(255)}😀`)).toBe(`${"a".repeat(255)}\ufffd`); // a pair cut in half is mended
  expect(storeText(undefined)).toBeNull();
});

const rows = async (url: string) => {
  const db = await openDatabase(url);
  try {
    return ((await db.sql.unsafe("SELECT model FROM usage_requests ORDER BY ts, request_id")) as { model: string | null }[]).map((r) => r.model);
  } finally {
    await db.close();
  }
};

test("PostgreSQL: a NUL in an anonymous model name is logged, and the rows after it are written", async () => {
  const pg = await freshPostgres();
  try {
    const { gw } = await mockLedgerGateway(pg.url);
    for (const model of ["bad\u0000name\ud800", "m", "m"]) {
      const r = await gw.fetch(
        new Request("http://gw/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) }),
      );
      await r.text();
    }
    await gw.shutdown();
    expect(await rows(pg.url)).toEqual(["badname\ufffd", "m", "m"]);
  } finally {
    await pg.drop();
  }
});

for (const kind of ["postgres", "sqlite"] as const) {
  test(`${kind}: a batch refused for one row's content drops that row only, counts it, and is not retried`, async () => {
    const pg = kind === "postgres" ? await freshPostgres() : undefined;
    const url = pg?.url ?? freshSqlitePath();
    try {
      const ledger = await UsageLedger.open(url, { flushMs: 10 });
      const rec = (model: string, cost: number) =>
        ({
          rid: model,
          method: "POST",
          path: "/v1/chat/completions",
          protocol: "openai",
          model,
          status: 200,
          ms: 1,
          bytes_in: 1,
          bytes_out: 1,
          cost_usd: cost,
        }) as const;
      ledger.ended(rec("a", 0.1));
      ledger.ended(rec("poison", Number.NaN)); // NaN travels as null: the NOT NULL column refuses the row
      ledger.ended(rec("b", 0.2));
      await ledger.flush();
      expect(ledger.rejected).toBe(1);
      expect(ledger.queued).toBe(0);
      expect(ledger.written).toBe(2);
      ledger.ended(rec("c", 0.3));
      await ledger.flush();
      expect(await rows(url)).toEqual(["a", "b", "c"]);
      await ledger.close();
    } finally {
      await pg?.drop();
    }
  });
}
