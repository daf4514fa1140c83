// Hot reload: SIGHUP, or a change of the config file (its directory is watched, so editors that replace
// the file by rename are seen too), debounced; the new file is validated before anything is swapped.
import { log, type Logger } from "../core";
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/** Stops watching. */
export type StopWatching = () => void;

/** Options of watchConfig. */
export interface WatchOptions {
  /** Where watch trouble is logged. */
  logger?: Logger;
  /** Wait this long after the last event before reloading (one save raises several). */
  debounceMs?: number;
  /** Watch the file (default true); SIGHUP always reloads. */
  watchFile?: boolean;
}

/** Calls `reload` (debounced) when the file changes or the process gets SIGHUP. */
export function watchConfig(file: string, reload: (reason: string) => void, opts: WatchOptions = {}): StopWatching {
  const debounceMs = opts.debounceMs ?? 150;
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (reason: string) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload(reason);
    }, debounceMs);
  };
  let watcher: FSWatcher | undefined;
  if (opts.watchFile !== false) {
    try {
      watcher = watch(dirname(path), (_event, changed) => {
        if (changed === null || changed?.toString() === name) schedule("file changed");
      });
    } catch (err) {
      (opts.logger ?? log).warn("cannot watch the config directory; reload with SIGHUP", { error: (err as Error).message });
    }
  }
  const onHup = () => schedule("SIGHUP");
  process.on("SIGHUP", onHup);
  return () => {
    watcher?.close();
    process.off("SIGHUP", onHup);
    if (timer) clearTimeout(timer);
  };
}
