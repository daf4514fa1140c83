// The Responses stream grammar, checked event by event: response.created first, sequence numbers 0,1,2,…,
// each output item added once and done once (in order, one open at a time, deltas only for the open one),
// exactly one terminal event (completed, incomplete or failed), last.
type Ev = { event?: string; data: any };

function events(text: string): Ev[] {
  return text
    .split("\n\n")
    .filter((b) => b.trim() && !b.startsWith(":"))
    .map((b) => {
      const lines = b.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(l[5] === " " ? 6 : 5))
        .join("\n");
      return { event, data: JSON.parse(data) };
    });
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** Throws with the first grammar violation; returns the events. */
export function checkResponsesStream(text: string): Ev[] {
  const evs = events(text);
  const fail = (i: number, why: string) => {
    throw new Error(`event ${i} (${evs[i]?.data?.type}): ${why}\n${text.slice(0, 4000)}`);
  };
  let open: { index: number; id: string } | undefined;
  let nextIndex = 0;
  let ended = false;
  evs.forEach((e, i) => {
    const d = e.data;
    if (ended) fail(i, "event after the terminal event");
    if (e.event !== undefined && e.event !== d.type) fail(i, `event name ${e.event} is not the data's type`);
    if (d.sequence_number !== i) fail(i, `sequence_number ${d.sequence_number}, expected ${i}`);
    if (i === 0 && d.type !== "response.created") fail(i, "the first event is not response.created");
    if (d.type === "response.output_item.added") {
      if (open) fail(i, "an item is added while another is open");
      if (d.output_index !== nextIndex) fail(i, `output_index ${d.output_index}, expected ${nextIndex}`);
      open = { index: d.output_index, id: d.item.id };
    } else if (d.type === "response.output_item.done") {
      if (!open || open.index !== d.output_index) fail(i, "done for an item that is not open");
      if (d.item.id !== open!.id) fail(i, "done item has another id");
      open = undefined;
      nextIndex++;
    } else if ("output_index" in d && (!open || open.index !== d.output_index || d.item_id !== open.id)) {
      fail(i, "an item event for an item that is not open");
    }
    if (TERMINAL.has(d.type)) {
      if (open && d.type !== "response.failed") fail(i, "terminal event with an item open"); // a failure does not invent an end
      if (d.type !== "response.failed" && d.response.output.length !== nextIndex) fail(i, "terminal output does not hold every item");
      ended = true;
    }
  });
  if (!ended) throw new Error(`no terminal event\n${text.slice(0, 4000)}`);
  return evs;
}
