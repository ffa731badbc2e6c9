//! Built-in `SamplingHandler`s that call an LLM provider over HTTP.
