// The dashboard's addresses: each page is a path under /admin/ui, its filters are the query string, so a view
// can be bookmarked, shared and reloaded; navigate() changes both without reloading the page.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

/** Goes to a page with these filters (empty ones are left out of the address). */
export function navigate(path: string, params: Record<string, string | undefined> = {}, replace = false): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const url = `/admin/ui/${path}${q.toString() ? `?${q}` : ""}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const l of listeners) l();
}

/** The current page (the path after /admin/ui/) and its filters; re-renders when they change. */
export function useLocation(): { page: string; params: Record<string, string> } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const changed = () => setTick((n) => n + 1);
    listeners.add(changed);
    addEventListener("popstate", changed);
    return () => {
      listeners.delete(changed);
      removeEventListener("popstate", changed);
    };
  }, []);
  const page = location.pathname.replace(/^\/admin\/ui\/?/, "").split("/")[0] || "live";
  return { page, params: Object.fromEntries(new URLSearchParams(location.search)) };
}
