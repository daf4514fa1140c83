// The id an upstream gave its answer and the reasons it gave for finishing, read from the answer's first and last
// bytes (a whole body, or what a stream's meter kept), without parsing it: for traces, which ask only when sampled.

/** An answer's id and finish reasons (deduplicated, in order), as far as the bytes tell. */
export interface AnswerFacts {
  id?: string;
  finishReasons: string[];
}

const decoder = new TextDecoder();
const ID = /"(?:responseId|id)"\s*:\s*"([\w.:-]{1,128})"/;
const GEMINI_ID = /"responseId"\s*:\s*"([\w.:-]{1,128})"/;
const FINISH = /"(?:finish_reason|stop_reason|finishReason)"\s*:\s*"([A-Za-z_]{1,40})"/g;
const RESPONSES_STATUS = /"type"\s*:\s*"response\.(completed|incomplete|failed)"/;

/** The facts of an answer whose first bytes are `head` and last bytes `tail` (the same bytes for a short one). */
export function answerFacts(head: Uint8Array, tail: Uint8Array): AnswerFacts {
  const first = decoder.decode(head.subarray(0, 4096));
  const id = (GEMINI_ID.exec(first) ?? ID.exec(first))?.[1];
  const last = decoder.decode(tail.subarray(Math.max(0, tail.length - 8192)));
  const reasons = new Set<string>();
  for (const m of last.matchAll(FINISH)) reasons.add(m[1]!);
  const status = RESPONSES_STATUS.exec(last)?.[1]; // a Responses stream tells its end by its last event's type
  if (!reasons.size && status) reasons.add(status);
  return id ? { id, finishReasons: [...reasons] } : { finishReasons: [...reasons] };
}
