/** A deterministic PRNG (values in [0, 1]) so property and fuzz tests reproduce from their seed. */
export function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}
