//! Every LLM call and tool call is visible at `debug`; message contents only on request.
//!
//! Alone in its test binary: `tracing` caches each call site's interest process-wide, so a
//! thread-local subscriber in a binary whose other tests hit the same call sites concurrently
//! can miss an event.

use std::sync::{Arc, Mutex};

use rmcp_sampling::message::Usage;
use rmcp_sampling::testing::{ScriptedLlm, reply};
use rmcp_sampling::{LlmResponse, Sampler, ToolError, sampling_tool};
use serde_json::json;

/// Add two integers.
#[sampling_tool]
fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b).ok_or(ToolError::new("overflow"))
}

fn with_usage(response: LlmResponse, input: u64, output: u64) -> LlmResponse {
    response.with_usage(Usage::new(input, output))
}

fn sampler(llm: &ScriptedLlm) -> Sampler {
    Sampler::with_handler(llm.clone())
}

/// A writer collecting what a `tracing` subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn logged_run(log_content: bool) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
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
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
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
