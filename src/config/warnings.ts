// What `validate` warns about in a valid config: things that work as written but surely not as meant.
import { shadowedPatterns } from "../engines/router/model-names";
import type { Config } from "./schema";

/** A warning: a dotted path into the config and what is wrong there. */
export interface ConfigWarning {
  path: (string | number)[];
  message: string;
}

/** The warnings of a validated config. */
export function configWarnings(config: Config): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const [pattern, cover] of shadowedPatterns(Object.keys(config.models))) {
    out.push({ path: ["models", pattern], message: `this pattern can never match: the earlier pattern ${cover} covers every name it would` });
  }
  for (const [name, model] of Object.entries(config.models)) {
    if (model.list_as && !name.includes("*"))
      out.push({ path: ["models", name, "list_as"], message: "list_as only means something on a pattern (a name with *)" });
  }
  return out;
}
