// Hiding many secrets in a line at once. Searching a line for each secret in turn costs ~35 µs a line with 1 000
// secrets (a config whose orgs hold many API keys), and the access log redacts every line. Here the secrets are
// indexed by their first six characters (every secret has at least six): one pass over the line, whatever their
// number.

/** The shortest secret a logger hides. */
export const MIN_SECRET_LENGTH = 6;
const FILTER_BITS = 1 << 16;

function hashAt(s: string, at: number): number {
  let h = 0;
  for (let k = 0; k < MIN_SECRET_LENGTH; k++) h = (Math.imul(h, 31) + s.charCodeAt(at + k)) | 0;
  return h;
}

/** Secrets found by their first six characters: the cost of a line does not grow with how many there are. */
export class SecretIndex {
  private readonly buckets = new Map<number, string[]>();
  /** One bit per hash (mod 2^16): most positions of a line are ruled out without a map lookup. */
  private readonly filter = new Uint8Array(FILTER_BITS / 8);

  /** `secrets`: each at least MIN_SECRET_LENGTH long, longest first. */
  constructor(secrets: readonly string[]) {
    for (const s of secrets) {
      const h = hashAt(s, 0);
      const bucket = this.buckets.get(h);
      if (bucket) bucket.push(s);
      else this.buckets.set(h, [s]);
      const bit = h & (FILTER_BITS - 1);
      this.filter[bit >> 3]! |= 1 << (bit & 7);
    }
  }

  /** `text` with every occurrence of every secret replaced by ***; occurrences that overlap are hidden together. */
  redact(text: string): string {
    let out = "";
    let copied = 0;
    let from = -1; // the hidden run being gathered: [from, until)
    let until = -1;
    for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
      const h = hashAt(text, i);
      const bit = h & (FILTER_BITS - 1);
      if ((this.filter[bit >> 3]! & (1 << (bit & 7))) === 0) continue;
      const bucket = this.buckets.get(h);
      const found = bucket?.find((s) => text.startsWith(s, i)); // longest first: it covers any shorter one here
      if (!found) continue;
      if (from >= 0 && i >= until) {
        out += `${text.slice(copied, from)}***`;
        copied = until;
        from = -1;
      }
      if (from < 0) from = i;
      until = Math.max(until, i + found.length);
    }
    if (from < 0) return copied === 0 ? text : out + text.slice(copied);
    return `${out}${text.slice(copied, from)}***${text.slice(until)}`;
  }
}
