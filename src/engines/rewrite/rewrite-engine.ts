import { LazyBody, log, type EventStage, type Logger, withoutCompression, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { RewritePolicy, type RewritePolicyConfig } from "./policy";

/** The three policies of a rewrite engine (each optional). */
export interface RewriteOptions {
  request?: RewritePolicyConfig;
  response?: RewritePolicyConfig;
  streamChunk?: RewritePolicyConfig;
  /** Where failed expressions are logged (once per policy). */
  logger?: Logger;
}

const warned = new WeakSet<RewritePolicy>();
function warnOnce(logger: Logger, policy: RewritePolicy, what: string) {
  return (path: string, err: Error) => {
    if (warned.has(policy)) return;
    warned.add(policy);
    logger.warn(`${what} rewrite expression failed; key left unchanged`, { path, error: err.message });
  };
}

/** Rewrites the request body, the whole response body, and each JSON stream event, as its policies say. */
export class RewriteEngine implements Engine {
  private readonly request?: RewritePolicy;
  private readonly response?: RewritePolicy;
  private readonly chunk?: RewritePolicy;
  private readonly logger: Logger;

  constructor(
    private readonly next: Engine,
    opts: RewriteOptions,
  ) {
    this.logger = opts.logger ?? log;
    const compile = (c?: RewritePolicyConfig) => {
      const p = c && new RewritePolicy(c);
      return p && !p.isEmpty ? p : undefined;
    };
    this.request = compile(opts.request);
    this.response = compile(opts.response);
    this.chunk = compile(opts.streamChunk);
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (this.request) {
      // a new request with the rewritten body: the one given stays as it was (a failover attempt resends it)
      const body = this.request.apply(req.body.json(), (current) => ({ RawReq: current }), warnOnce(this.logger, this.request, "request"));
      req = { ...req, body: LazyBody.fromValue(body) };
    }
    if (this.response || this.chunk) req = withoutCompression(req); // the upstream must answer uncompressed for its body to be rewritten
    const res = await this.next.process(req);
    if (this.response && res.body && res.status < 300) return this.rewriteBody(res, req);
    if (this.chunk && res.stream && res.status < 300) return { ...res, stream: res.stream.through(this.rewriteStage(req)) };
    return res;
  }

  /** A new response with the rewritten body (the one given is not changed). */
  private rewriteBody(res: LLMResponse, req: LLMRequest): LLMResponse {
    let value: unknown;
    try {
      value = res.body!.json();
    } catch {
      return res; // not JSON: nothing to rewrite
    }
    const body = LazyBody.fromValue(
      this.response!.apply(value, (current) => ({ RawReq: req.body.json(), Resp: current }), warnOnce(this.logger, this.response!, "response")),
    );
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return { ...res, headers, body };
  }

  /** The chunk rewrite as a pipeline stage: every JSON event rewritten (its JSON parsed once, shared with the stages after), the rest passed on as it is. */
  private rewriteStage(req: LLMRequest): EventStage {
    const policy = this.chunk!;
    const onError = warnOnce(this.logger, policy, "stream chunk");
    return {
      reads: "events",
      name: "rewrite",
      push: (events) => {
        for (const ev of events) {
          if (ev.data.charCodeAt(0) !== 123 /* { */) continue;
          try {
            ev.setJson(policy.apply(ev.json(), (current) => ({ RawReq: req.body.json(), Resp: current }), onError));
          } catch {
            // not JSON after all: pass it on unchanged
          }
        }
        return events;
      },
      end: () => "",
      fail: () => ({ out: "", answered: false }),
      done: false,
    };
  }
}
