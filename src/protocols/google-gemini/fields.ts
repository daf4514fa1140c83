/** The generationConfig fields that map one to one onto the chat form's: [chat name, Gemini name]. */
export const SAME_FIELDS = [
  ["seed", "seed"],
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
] as const;
