// The limit keys of the config (an org on a model, an API key, a rule): their schema.
import * as v from "valibot";

const positive = (what: string) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, "must be a positive integer"), v.description(what)));
/** The limit keys, shared by a dimension's limits and a rule's. */
export const LIMIT_FIELDS = {
  rpm: positive("Requests per minute"),
  tpm: positive("Tokens per minute (input + output)"),
  rpd: positive("Requests per day (UTC)"),
  tpd: positive("Tokens per day (UTC)"),
  concurrency: positive("Requests in flight at once"),
};

/** Rate limits of one dimension (org × model, API key). */
export const LimitsSchema = v.strictObject(LIMIT_FIELDS);
