// Backend names of the form default:<weight>[:label] form a model's default pool.

const DEFAULT_NAME = /^default:(\d+(?:\.\d+)?)(?::.+)?$/;

/** The pool weight of a backend name, or undefined when the name is not in the default pool. */
export function defaultPoolWeight(name: string): number | undefined {
  const m = DEFAULT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** True when a name starts with "default" but is not a well-formed pool name. */
export function isMalformedPoolName(name: string): boolean {
  return name.startsWith("default") && defaultPoolWeight(name) === undefined;
}
