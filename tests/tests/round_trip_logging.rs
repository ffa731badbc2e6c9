//! On protocol 2026-07-28 every round replays the steps answered before it: those are not new
//! LLM calls, so each LLM call is logged once (asked) and its answer once (arrived), however
//! many rounds follow.
//!
//! Alone in its test binary (see loop_logging.rs): `tracing` caches call-site interest
//! process-wide. The runtime is single-threaded so that the in-process server's tasks log to
//! this test's subscriber.

use rmcp_sampling::Sampler;
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process_modern};
use serde_json::json;

mod support;

use support::log::Captured;
use support::mcp::{OneToolServer, add_tool, call, within};

#[tokio::test(flavor = "current_thread")]
async fn replayed_steps_are_not_logged_as_new_llm_calls() {
    let (captured, _guard) = Captured::debug();

    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 3, "b": 3}))
        .then_text("6");
    // A text loop with `add`.
    let server = OneToolServer::new(Sampler::new(), |sampler, ctx, _| async move {
        Ok(sampler
            .on(&ctx)
            .tools([add_tool()])
            .sample_text("1 + 2 + 3?")
            .await?
            .text)
    });
    let client = connect_in_process_modern(server, SamplingClient::new(llm))
        .await
        .expect("the client connects");
    let result = within(client.call_tool(call("run", json!({}))))
        .await
        .expect("the call answers");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    client.cancel().await.unwrap();

    let log = captured.text();
    let count = |needle: &str| log.lines().filter(|line| line.contains(needle)).count();
    // Three LLM calls over four rounds: without the journal's origin, round k re-logged the
    // k - 1 steps before it (3 + 3 = 6 calls and answers).
    assert_eq!(count("LLM call"), 3, "{log}");
    assert_eq!(count("LLM answered"), 3, "{log}");
    assert_eq!(
        count("tool call finished"),
        2,
        "tools ran once each:\n{log}"
    );
}
