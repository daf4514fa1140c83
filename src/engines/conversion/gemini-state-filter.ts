// On Gemini pass-through routes: signatures this gateway sealed (another backend's reasoning state, carried by a
// Gemini client when an earlier turn was served by a converted backend) are never sent to Google, which refuses
// a signature it cannot read ("Corrupted thought signature"). On a call they become the validator-skip value
// Google documents; elsewhere they go, with a part left holding nothing. A native byte search finds them, so
// bodies without one are never parsed and pass byte for byte.
import { LazyBody, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { ENVELOPE_MARK, isEnvelope, SKIP_SIGNATURE } from "../../convert";

type Body = Record<string, any>;

const MARK = Buffer.from(`"${ENVELOPE_MARK}`);

/** Removes the gateway's sealed signatures from Gemini requests that pass through. */
export class GeminiStateFilterEngine implements Engine {
  constructor(private readonly next: Engine) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    const bytes = req.body.bytesOut();
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(MARK) < 0) return this.next.process(req);
    const body = req.body.json<Body>();
    const contents = Array.isArray(body?.contents)
      ? body.contents.map(withoutSealed).filter((c: Body) => !(Array.isArray(c?.parts) && c.parts.length === 0)) // a content left empty goes too
      : body?.contents;
    return this.next.process({ ...req, body: LazyBody.fromValue({ ...body, contents }) }); // a new request: the given one is unchanged
  }
}

function withoutSealed(content: Body): Body {
  if (!content || !Array.isArray(content.parts)) return content;
  const parts = content.parts.flatMap((p: Body) => {
    if (!p || !isEnvelope(p.thoughtSignature)) return [p];
    const { thoughtSignature: _sealed, ...rest } = p;
    if (p.functionCall) return [{ ...rest, thoughtSignature: SKIP_SIGNATURE }];
    return Object.keys(rest).length && !(Object.keys(rest).length === 1 && rest.text === "") ? [rest] : [];
  });
  return { ...content, parts };
}
