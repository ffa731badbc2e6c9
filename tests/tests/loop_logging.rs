//! Every LLM call and tool call is visible at `debug`; message contents only on request.
//!
//! Alone in its test binary: `tracing` caches each call site's interest process-wide, so a
//! thread-local subscriber in a binary whose other tests hit the same call sites concurrently
//! can miss an event.

use rmcp_sampling::message::Usage;
use rmcp_sampling::testing::{ScriptedLlm, reply};
use rmcp_sampling::{LlmResponse, Sampler};
use serde_json::json;

mod support;

use support::log::Captured;
use support::mcp::add_tool;

fn with_usage(response: LlmResponse, input: u64, output: u64) -> LlmResponse {
    response.with_usage(Usage::new(input, output))
}

fn sampler(llm: &ScriptedLlm) -> Sampler {
    Sampler::with_handler(llm.clone())
}

async fn logged_run(log_content: bool) -> String {
    let (captured, _guard) = Captured::debug();
    let llm = ScriptedLlm::new()
        .then_result(with_usage(
            reply::tool_use("c1", "add", json!({"a": 1, "b": 2})),
            30,
            4,
        ))
        .then_text("the secret sum is 3");
    sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .log_content(log_content)
        .sample_text("1 + 2?")
        .await
        .unwrap();
    captured.text()
}

#[tokio::test]
async fn every_llm_call_and_tool_call_is_logged_at_debug() {
    let log = logged_run(false).await;
    for needle in [
        "LLM call",
        "LLM answered",
        "model=scripted-llm",
        "stop_reason=toolUse",
        "input_tokens=30",
        "output_tokens=4",
        "elapsed_ms=",
        "tool call finished",
        "tool=add",
    ] {
        assert!(log.contains(needle), "{needle:?} missing from:\n{log}");
    }
    assert!(
        !log.contains("the secret sum"),
        "contents are opt-in:\n{log}"
    );
    let log = logged_run(true).await;
    assert!(log.contains("the secret sum is 3"), "{log}");
    assert!(log.contains("1 + 2?"), "{log}");
}
