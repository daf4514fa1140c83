import { LazyBody, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { stripGatewayThinking } from "../../convert";

const MARK = Buffer.from(`"gw1.`);

/**
 * On Anthropic pass-through routes: thinking blocks this gateway signed (for an earlier turn served by a
 * converted backend) are removed, since Anthropic would reject their signatures. A native byte search
 * finds them, so bodies without any are never parsed.
 */
export class ThinkingFilterEngine implements Engine {
  constructor(private readonly next: Engine) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format === "anthropic.messages" && hasMark(req.body.bytesOut())) {
      const body = req.body.json<{ messages?: unknown[] }>();
      const messages = Array.isArray(body.messages) ? stripGatewayThinking(body.messages) : undefined;
      if (messages) req = { ...req, body: LazyBody.fromValue({ ...body, messages }) }; // a new request: the given one is unchanged
    }
    return this.next.process(req);
  }
}

function hasMark(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(MARK) >= 0;
}
