/**
 * @module
 * Per-model prices (USD per million tokens) used for cost accounting. Approximate list prices;
 * an operator can override or extend them with `LLM_PRICES_JSON`. Models missing here are
 * accounted in tokens only (their cost is not guessed).
 */

/** Price of one model in USD per million tokens. */
export interface ModelPrice {
  /** Prompt (input) tokens. */
  input: number;
  /** Completion (output) tokens; 0 for embedding models. */
  output: number;
}

/** Built-in price table, keyed by model name as sent to the API. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI chat
  "gpt-5.2": { input: 1.75, output: 14 },
  "gpt-5.1": { input: 1.25, output: 10 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  // OpenAI embeddings
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
  // Groq
  "llama3-8b-8192": { input: 0.05, output: 0.08 },
  "llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
  // Anthropic (OpenAI-compatible endpoint)
  "claude-3-sonnet-20240229": { input: 3, output: 15 },
  "claude-3-5-haiku-latest": { input: 0.8, output: 4 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  // OpenRouter / Chutes defaults
  "deepseek/deepseek-chat": { input: 0.3, output: 0.85 },
  "deepseek-ai/DeepSeek-V3": { input: 0.3, output: 0.85 },
  "openai/text-embedding-3-small": { input: 0.02, output: 0 },
  // Offline provider: free
  "offline-keywords": { input: 0, output: 0 },
  "glove-sg-100d": { input: 0, output: 0 },
};

/** Cost in USD of one call, or `null` when the model has no price. */
export function callCost(
  prices: Readonly<Record<string, ModelPrice>>,
  model: string,
  promptTokens: number,
  completionTokens: number,
): number | null {
  const p = prices[model];
  if (!p) return null;
  return (promptTokens * p.input + completionTokens * p.output) / 1_000_000;
}
