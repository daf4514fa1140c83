// The rewrite keys of a model and a backend (`request_rewrites`, `response_rewrites`, `stream_chunk_rewrites`): their
// schema, and the rewrite engine the merged model and backend settings make.
import * as v from "valibot";
import type { Engine, Logger } from "../../core";
import { mergePolicies } from "./policy";
import { RewriteEngine } from "./rewrite-engine";

/** A JSON rewrite: remove_keys first, then set_keys, then set_keys_by_expr. */
export const RewriteSchema = v.strictObject({
  set_keys: v.optional(v.pipe(v.record(v.string(), v.unknown()), v.description("Path → value to set (dotted paths, numeric array indexes)"))),
  set_keys_by_expr: v.optional(
    v.pipe(v.record(v.string(), v.string()), v.description("Path → expression whose value is set (sees RawReq, and Resp for responses)")),
  ),
  remove_keys: v.optional(v.pipe(v.array(v.string()), v.description("Paths to remove"))),
});

/** The three rewrite keys a model and a backend have. */
export const REWRITE_FIELDS = {
  request_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of the request body"))),
  response_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of a whole (non-stream) JSON response"))),
  stream_chunk_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of each JSON event of a stream"))),
};

/** The rewrite keys as the config holds them. */
type RewriteFields = { [K in keyof typeof REWRITE_FIELDS]?: v.InferOutput<typeof RewriteSchema> };

/** The upstream engine wrapped in the merged model + backend rewrites, when there are any. */
export function withRewrites(engine: Engine, model: RewriteFields, b: RewriteFields, logger: Logger): Engine {
  const request = mergePolicies(model.request_rewrites, b.request_rewrites);
  const response = mergePolicies(model.response_rewrites, b.response_rewrites);
  const streamChunk = mergePolicies(model.stream_chunk_rewrites, b.stream_chunk_rewrites);
  return request || response || streamChunk ? new RewriteEngine(engine, { request, response, streamChunk, logger }) : engine;
}
