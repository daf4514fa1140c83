import { LazyBody, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { stripGatewayThinking } from "../../convert";

// the gateway's signatures (gw1: its own thinking; gw2: another API's state), and any escaped first character of a signature
const MARKS = [Buffer.from("gw1."), Buffer.from("gw2."), Buffer.from(`"signature":"\\u`)];

/**
 * On Anthropic pass-through routes: thinking blocks this gateway signed (gw1 and gw2, for an earlier turn served by
 * a converted backend) are removed, since a gateway signature is never sent to Anthropic. A native byte search
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
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return MARKS.some((m) => buf.indexOf(m) >= 0);
}
