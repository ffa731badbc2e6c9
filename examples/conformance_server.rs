//! A streamable-HTTP MCP server for the official MCP conformance suite
//! (npm `@modelcontextprotocol/conformance`, pinned in `tests/peers/conformance/`): its sampling
//! tools run the rmcp-sampling loop through the client's LLM.
//!
//! | MCP tool | conformance scenario | what it does |
//! | --- | --- | --- |
//! | `test_sampling(prompt)` | `tools-call-sampling` (2025-06-18, 2025-11-25) | a text loop on `prompt` with `maxTokens` 100; returns `LLM response: <text>` |
//! | `test_input_required_result_sampling()` | `input-required-result-basic-sampling` (2026-07-28) | a text loop on "What is the capital of France?" |
//!
//! The server only uses the client's LLM (`Sampler::new()`, no server-side handler), so a
//! client without the `sampling` capability gets a tool error (`isError: true`) that says so.
//! On protocol 2026-07-28 the push channel is gone and multi round-trip sampling is not
//! implemented yet: `test_input_required_result_sampling` answers with a tool error that says a
//! sampling handler is needed, and that scenario fails (a known gap).
//!
//! ```sh
//! cargo run --example conformance_server -p rmcp-sampling-examples -- 3001
//! # in tests/peers/conformance, after `npm ci` (tests/peers/setup_node.sh):
//! node_modules/.bin/node node_modules/.bin/conformance server \
//!     --url http://127.0.0.1:3001/mcp --scenario tools-call-sampling
//! ```
//!
//! The port is the first argument, else `CONFORMANCE_SERVER_PORT`, else 0 (the system picks a
//! free one). The server listens on 127.0.0.1 only, prints `listening on <url>` on stdout once it
//! accepts connections, logs to stderr (`RUST_LOG`, default `warn`), and stops on Ctrl-C.

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::{SampleError, Sampler};
use serde::Deserialize;
use std::io::Write;

/// The `maxTokens` the `tools-call-sampling` scenario describes.
const MAX_TOKENS: u32 = 100;

/// The question of the `input-required-result-basic-sampling` scenario.
const CAPITAL_QUESTION: &str = "What is the capital of France?";

/// The environment variable that sets the port when no argument does.
const PORT_VAR: &str = "CONFORMANCE_SERVER_PORT";

/// Arguments of `test_sampling`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SamplingArgs {
    /// The prompt to send to the LLM.
    prompt: String,
}

/// The conformance server: a sampler on the client's LLM, and the MCP tool router.
#[derive(Clone)]
struct ConformanceServer {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router(router = tool_router)]
impl ConformanceServer {
    fn new() -> Self {
        Self {
            sampler: Sampler::new(),
            tool_router: Self::tool_router(),
        }
    }

    /// Asks the client's LLM to answer the prompt; returns "LLM response: <its answer>".
    #[tool]
    async fn test_sampling(
        &self,
        Parameters(args): Parameters<SamplingArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .max_tokens(MAX_TOKENS)
            .sample_text(args.prompt)
            .await;
        llm_response(out.map(|o| o.result))
    }

    /// Asks the client's LLM for the capital of France (the 2026-07-28 multi round-trip
    /// scenario, which this server does not pass yet).
    #[tool]
    async fn test_input_required_result_sampling(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .max_tokens(MAX_TOKENS)
            .sample_text(CAPITAL_QUESTION)
            .await;
        llm_response(out.map(|o| o.result))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ConformanceServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The LLM's answer as the scenario wants it, or the loop's failure as a tool error.
fn llm_response(out: Result<String, SampleError>) -> CallToolResult {
    match out {
        Ok(text) => {
            CallToolResult::success(vec![ContentBlock::text(format!("LLM response: {text}"))])
        }
        Err(error) => {
            tracing::warn!(%error, "sampling loop failed");
            error.into_tool_result()
        }
    }
}

/// The port to listen on: the first argument, else [`PORT_VAR`], else 0.
fn port_from(arg: Option<String>, var: Option<String>) -> anyhow::Result<u16> {
    let (raw, source) = match (arg, var) {
        (Some(arg), _) => (arg, "the first argument"),
        (None, Some(var)) => (var, PORT_VAR),
        (None, None) => return Ok(0),
    };
    raw.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{source} must be a port number (0-65535), got {raw:?}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let port = port_from(std::env::args().nth(1), std::env::var(PORT_VAR).ok())?;

    let config = StreamableHttpServerConfig::default();
    let shutdown = config.cancellation_token.clone();
    let service: StreamableHttpService<ConformanceServer, LocalSessionManager> =
        StreamableHttpService::new(|| Ok(ConformanceServer::new()), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{address}/mcp")?;
    stdout.flush()?;
    drop(stdout);

    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot wait for Ctrl-C; stopping");
            }
            // Closes the open SSE streams, so the graceful shutdown does not wait for them.
            shutdown.cancel();
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::port_from;

    #[test]
    fn the_argument_wins_over_the_variable() {
        assert_eq!(
            port_from(Some("3001".into()), Some("4000".into())).ok(),
            Some(3001)
        );
        assert_eq!(port_from(None, Some(" 4000 ".into())).ok(), Some(4000));
        assert_eq!(port_from(None, None).ok(), Some(0));
    }

    #[test]
    fn a_bad_port_is_an_error_that_names_its_source() {
        let error = port_from(Some("http".into()), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("first argument") && error.contains("\"http\""),
            "{error}"
        );
        let error = port_from(None, Some("70000".into()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("CONFORMANCE_SERVER_PORT"), "{error}");
    }
}
