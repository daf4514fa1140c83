/** A deterministic PRNG (values in [0, 1]) so property and fuzz tests reproduce from their seed. */
export function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** Odd values a hostile client or upstream may put anywhere. */
const ODD: unknown[] = [null, 0, -1, 1.5, "", "x", true, [], {}, [null], { type: null }, [{}], Number.POSITIVE_INFINITY]; // 1e400 in JSON text

/** A copy of `value` with one node (chosen at random, at any depth) replaced by an odd value. */
export function mutate(value: unknown, r: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(value));
  const nodes: { parent: any; key: string | number }[] = [];
  const walk = (v: any) => {
    if (v && typeof v === "object")
      for (const k of Object.keys(v)) {
        nodes.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
        walk(v[k]);
      }
  };
  walk(copy);
  const n = 1 + Math.floor(r() * 2);
  for (let i = 0; i < n && nodes.length; i++) {
    const at = nodes[Math.floor(r() * nodes.length)]!;
    at.parent[at.key] = ODD[Math.floor(r() * ODD.length)];
  }
  return copy;
}
