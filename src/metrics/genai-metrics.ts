// The OpenTelemetry GenAI client metrics in the Prometheus format, with the conventions' bucket boundaries: operation
// duration, token usage by type, time to first chunk and time per output chunk (per output token: the gateway
// counts tokens, not chunks). Labels are bounded like the gateway's own: config model names, fixed sets.
import type { AccessRecord } from "../core";
import { providerOf } from "../protocols/genai-names";
import { Histogram, type HistogramSeries, type Registry } from "./registry";

const DURATION = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const FIRST_CHUNK = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const PER_CHUNK = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
const LABELS = ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model", "error_type"];

/** gen_ai.operation.name and gen_ai.provider.name of an access record (bounded sets). */
function operation(rec: AccessRecord): [string, string] {
  return [rec.protocol === "google" ? "generate_content" : "chat", providerOf(rec.upstream_api) ?? "octollm"];
}

/** The series one request records into. */
interface GenAiSeries {
  duration: HistogramSeries;
  tokensIn: HistogramSeries;
  tokensOut: HistogramSeries;
  firstChunk: HistogramSeries;
  perChunk: HistogramSeries;
}

/** The GenAI histograms, registered in the gateway's registry. */
export class GenAiMetrics {
  private readonly duration: Histogram;
  private readonly tokens: Histogram;
  private readonly firstChunk: Histogram;
  private readonly perChunk: Histogram;
  private readonly series = new Map<string, GenAiSeries>();

  constructor(registry: Registry) {
    this.duration = registry.add(
      new Histogram("gen_ai_client_operation_duration_seconds", "GenAI operation duration (OpenTelemetry GenAI conventions)", LABELS, DURATION),
    );
    this.tokens = registry.add(
      new Histogram("gen_ai_client_token_usage", "Tokens used per operation, by gen_ai_token_type (input, output)", [...LABELS, "gen_ai_token_type"], TOKENS),
    );
    this.firstChunk = registry.add(
      new Histogram("gen_ai_client_operation_time_to_first_chunk_seconds", "Streamed operations: time to the first chunk of the answer", LABELS, FIRST_CHUNK),
    );
    this.perChunk = registry.add(
      new Histogram(
        "gen_ai_client_operation_time_per_output_chunk_seconds",
        "Streamed operations: time per output token after the first chunk",
        LABELS,
        PER_CHUNK,
      ),
    );
  }

  /** Records one LLM request (`model`: its bounded label; `responseModel` likewise). */
  observe(rec: AccessRecord, model: string, responseModel: string): void {
    if (rec.path === "/v1/models" || rec.model === undefined) return;
    const [op, provider] = operation(rec);
    const error = rec.status >= 400 ? (rec.rate_limited ? "rate_limit" : String(rec.status)) : "";
    const s = this.seriesOf([op, provider, model, responseModel, error]);
    this.duration.record(s.duration, rec.ms / 1000);
    if (rec.tokens_in !== undefined) this.tokens.record(s.tokensIn, rec.tokens_in);
    if (rec.tokens_out !== undefined) this.tokens.record(s.tokensOut, rec.tokens_out);
    if (rec.ttft_ms === undefined) return;
    this.firstChunk.record(s.firstChunk, rec.ttft_ms / 1000);
    if ((rec.tokens_out ?? 0) > 1) this.perChunk.record(s.perChunk, (rec.ms - rec.ttft_ms) / 1000 / (rec.tokens_out! - 1));
  }

  /** The series of one label set, found with one lookup (as the gateway's own metrics find theirs). */
  private seriesOf(labels: string[]): GenAiSeries {
    const key = labels.join("\u0000");
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size > 10_000) this.series.clear(); // bounded labels keep this small; a guard all the same
      s = {
        duration: this.duration.at(labels),
        tokensIn: this.tokens.at([...labels, "input"]),
        tokensOut: this.tokens.at([...labels, "output"]),
        firstChunk: this.firstChunk.at(labels),
        perChunk: this.perChunk.at(labels),
      };
      this.series.set(key, s);
    }
    return s;
  }
}
