// The stages of a stream pipeline in order: text goes through each one; a stage that completes its output ends
// the ones after it; a failure is answered by the first stage that can, and what that stage says still passes
// through the stages after it. Synchronous while every stage is, so the common path costs no promise per chunk.
import type { StreamStage } from "./stream-pipeline";
import type { TokenUsage } from "./types";

/** An ordered list of stages, as the pipeline runner drives it. */
export class StageChain {
  constructor(
    private readonly stages: readonly StreamStage[],
    /** Told when a stage completed the output (the stages after it are ended by then). */
    private readonly completed: (stage: StreamStage) => void,
  ) {}

  /** Output for a piece of input. */
  push(text: string): string | Promise<string> {
    return this.pushFrom(0, text);
  }

  /** Output for the last input, every stage ended. */
  end(text: string): Promise<string> {
    return this.endFrom(0, text);
  }

  /** The shortest time a stage may still hold input (0: none holds any). */
  holdingMs(): number {
    let holdMs = 0;
    for (const s of this.stages) {
      const ms = s.holdingMs?.() ?? 0;
      if (ms > 0 && (holdMs === 0 || ms < holdMs)) holdMs = ms;
    }
    return holdMs;
  }

  /** The output of the first stage holding input, passed through the stages after it. */
  async flushHeld(): Promise<string> {
    const k = this.stages.findIndex((s) => (s.holdingMs?.() ?? 0) > 0);
    const stage = this.stages[k];
    if (!stage?.flush) return "";
    return this.pushed(k, await stage.flush());
  }

  /** The source failed: each stage answers the failure or passes it on; `answered` says whether one did. */
  async fail(err: unknown): Promise<{ text: string; answered: boolean }> {
    let text = "";
    let answered = false;
    try {
      for (const stage of this.stages) {
        let out = text ? await stage.push(text) : "";
        if (stage.done) answered = true;
        else if (answered) out += await stage.end();
        else {
          const f = await stage.fail(err);
          out += f.out;
          answered = f.answered;
        }
        text = out;
      }
    } catch {
      // a stage failed while ending: what it made so far is lost; the error tail still ends the stream
      return { text: "", answered: false };
    }
    return { text, answered };
  }

  /** The exact usage the last stage that knows it reports. */
  usage(): TokenUsage | undefined {
    for (let k = this.stages.length - 1; k >= 0; k--) {
      const u = this.stages[k]!.usage;
      if (u) return u;
    }
    return undefined;
  }

  private pushFrom(k: number, text: string): string | Promise<string> {
    for (; k < this.stages.length && text; k++) {
      const stage = this.stages[k]!;
      const out = stage.push(text);
      if (typeof out !== "string") return out.then((t) => this.pushed(k, t));
      if (stage.done) {
        this.completed(stage);
        return this.endFrom(k + 1, out);
      }
      text = out;
    }
    return text;
  }

  /** Goes on after stage `k` gave `text`. */
  private pushed(k: number, text: string): string | Promise<string> {
    const stage = this.stages[k]!;
    if (!stage.done) return this.pushFrom(k + 1, text);
    this.completed(stage);
    return this.endFrom(k + 1, text);
  }

  private async endFrom(k: number, text: string): Promise<string> {
    for (; k < this.stages.length; k++) {
      const stage = this.stages[k]!;
      let out = text ? await stage.push(text) : "";
      if (!stage.done) out += await stage.end();
      text = out;
    }
    return text;
  }
}
