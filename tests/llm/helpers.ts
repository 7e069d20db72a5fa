/** Shared helpers of the llm tests: a provider pointed at a fake server. */
import type { FakeOpenAIServer } from "../../llm/fake_openai_server.ts";
import { OpenAIProvider, type OpenAIProviderOptions } from "../../llm/openai_provider.ts";

/** An OpenAIProvider on `server` with fast retries (1–5 ms) unless overridden. */
export function providerFor(
  server: FakeOpenAIServer,
  over: Partial<OpenAIProviderOptions> = {},
): OpenAIProvider {
  return new OpenAIProvider({
    name: "fake",
    baseURL: server.url,
    apiKey: "test-key",
    chatModel: "gpt-5-mini",
    embeddings: {
      baseURL: server.url,
      apiKey: "test-key",
      model: "glove-sg-100d",
      dimensions: 100,
    },
    timeoutMs: 10_000,
    maxRetries: 3,
    retryBaseMs: 1,
    retryMaxMs: 5,
    concurrency: 4,
    embeddingBatchSize: 256,
    ...over,
  });
}
