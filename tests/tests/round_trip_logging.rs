//! On protocol 2026-07-28 every round replays the steps answered before it: those are not new
//! LLM calls, so each LLM call is logged once (asked) and its answer once (arrived), however
//! many rounds follow.
//!
//! Alone in its test binary (see loop_logging.rs): `tracing` caches call-site interest
//! process-wide. The runtime is single-threaded so that the in-process server's tasks log to
//! this test's subscriber.

use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process_modern};
use rmcp_sampling::{Sampler, SamplingContext, ToolError, ToolReply, sampling_tool};
use serde_json::json;

/// Add two integers.
#[sampling_tool]
fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b).ok_or(ToolError::new("overflow"))
}

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    /// A text loop with `add`.
    #[tool]
    async fn sum(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .tools([add_tool()])
                    .sample_text("1 + 2 + 3?")
                    .await?
                    .text)
            })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
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

#[tokio::test(flavor = "current_thread")]
async fn replayed_steps_are_not_logged_as_new_llm_calls() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 3, "b": 3}))
        .then_text("6");
    let server = Server {
        sampler: Sampler::new(),
        tool_router: Server::tool_router(),
    };
    let client = connect_in_process_modern(server, SamplingClient::new(llm))
        .await
        .expect("the client connects");
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        client.call_tool(CallToolRequestParams::new("sum")),
    )
    .await
    .expect("the call finishes")
    .expect("the call answers");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    client.cancel().await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
