// The source side of a running pipeline: what the runner needs of its reader, and what becomes of a source once
// the output is complete (read to its end, bounded, so that its connection can be reused).

/** One read of the source. */
export type ReadResult = { done: boolean; value?: Uint8Array };

/** What the runner needs of the source's reader. */
export interface SourceReader {
  read(): Promise<ReadResult>;
  cancel(reason?: unknown): Promise<void>;
}

/** The most of a source read (and not sent) after the output is complete, so that its connection can be reused. */
const DRAIN_BYTES = 65_536;
const DRAIN_MS = 2000;

/** True when output that ended with bytes `beforeLast`, `last` and then `chunk` ends with a blank line (or nothing went out). */
export function atBoundary(sent: number, last: number, beforeLast: number, chunk: Uint8Array | undefined): boolean {
  const n = chunk?.byteLength ?? 0;
  if (sent === 0 && n === 0) return true;
  if (n >= 2) [beforeLast, last] = [chunk![n - 2]!, chunk![n - 1]!];
  else if (n === 1) [beforeLast, last] = [last, chunk![0]!];
  return (last === 10 && (beforeLast === 10 || beforeLast === 13)) || (last === 13 && beforeLast === 13);
}

/** Reads the rest of a source and drops it (bounded in bytes and time); `first` is a read already under way. */
export async function drainSource(reader: SourceReader, first: Promise<ReadResult> | undefined): Promise<void> {
  const stop = setTimeout(() => reader.cancel().catch(() => {}), DRAIN_MS);
  let n = 0;
  try {
    for (let r = await (first ?? reader.read()); !r.done; r = await reader.read()) {
      n += r.value?.byteLength ?? 0;
      if (n > DRAIN_BYTES) return void reader.cancel().catch(() => {});
    }
  } catch {
    // the source failed after the output was complete: nothing to tell
  } finally {
    clearTimeout(stop);
  }
}
