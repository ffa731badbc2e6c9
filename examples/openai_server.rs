//! An MCP server (stdio) whose tool answers questions about a small inventory with an LLM
//! reached through the OpenAI-compatible handler, not through the MCP client: the LLM calls
//! the Rust function `stock_level` as a tool, as often as it needs, then answers.
//!
//! Configure it with environment variables:
//!
//! | variable | meaning |
//! | --- | --- |
//! | `OPENAI_MODEL` | the model (required) |
//! | `OPENAI_BASE_URL` | the server, default `https://api.openai.com/v1` |
//! | `OPENAI_API_KEY` | the key, if the server wants one (local servers usually do not) |
//!
//! Any OpenAI-compatible Chat Completions server works, as long as the model supports tool
//! calling:
//!
//! ```sh
//! # OpenAI
//! OPENAI_API_KEY=sk-... OPENAI_MODEL=gpt-4o-mini cargo run --example openai_server
//! # Ollama (`ollama serve`, then `ollama pull llama3.2`)
//! OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 cargo run --example openai_server
//! # llama.cpp (`llama-server -m model.gguf --jinja`, port 8080; the model name is not checked)
//! OPENAI_BASE_URL=http://localhost:8080/v1 OPENAI_MODEL=local cargo run --example openai_server
//! # vLLM (`vllm serve Qwen/Qwen2.5-7B-Instruct --enable-auto-tool-choice --tool-call-parser hermes`)
//! OPENAI_BASE_URL=http://localhost:8000/v1 OPENAI_MODEL=Qwen/Qwen2.5-7B-Instruct cargo run --example openai_server
//! ```
//!
//! The server speaks MCP on stdin/stdout (point an MCP client such as the MCP Inspector at
//! the command above) and logs to stderr. Its one tool, `ask_inventory`, takes a `question`.
//!
//! The sampler here is `.always()`: every sampling call goes to the handler. With
//! `.fallback()` it would use the client's own LLM when the client offers sampling, and the
//! handler otherwise.

use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use rmcp_sampling::providers::OpenAiHandlerBuilder;
use rmcp_sampling::{Sampler, ToolError, sampling_tool};
use serde::Deserialize;

/// How many units of an item the warehouse holds.
#[sampling_tool]
fn stock_level(
    /// The item's name, e.g. "espresso machine".
    item: String,
) -> Result<u32, ToolError> {
    match item.to_lowercase().as_str() {
        "espresso machine" => Ok(4),
        "milk frother" => Ok(0),
        "coffee grinder" => Ok(17),
        other => Err(ToolError::new(format!(
            "unknown item {other:?}; known items: espresso machine, milk frother, coffee grinder"
        ))),
    }
}

/// The arguments of `ask_inventory`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Question {
    /// A question about what the warehouse has in stock.
    question: String,
}

/// An MCP server whose tool asks an OpenAI-compatible LLM.
#[derive(Clone)]
struct Inventory {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Inventory {
    fn new(sampler: Sampler) -> Self {
        Self {
            sampler,
            tool_router: Self::tool_router(),
        }
    }

    /// Answer a question about the warehouse's stock.
    #[tool]
    async fn ask_inventory(
        &self,
        Parameters(question): Parameters<Question>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let answer = self
            .sampler
            .on(&ctx)
            .system_prompt(
                "You answer questions about a warehouse. Check stock with the stock_level tool; \
                 never guess a number.",
            )
            .temperature(0.0)
            .max_tokens(400)
            .tools([stock_level_tool()])
            .max_iterations(8)
            .sample_text(question.question)
            .await?;
        Ok(CallToolResult::success(vec![ContentBlock::text(
            answer.result,
        )]))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Inventory {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // stdout carries MCP messages: logs go to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let handler = OpenAiHandlerBuilder::from_env()?
        .timeout(Duration::from_secs(180))
        .max_retries(3)
        .build()?;
    tracing::info!(
        model = handler.model(),
        "sampling through the OpenAI-compatible handler"
    );
    let sampler = Sampler::with_handler(handler).always();

    let running = Inventory::new(sampler)
        .serve(rmcp::transport::stdio())
        .await?;
    running.waiting().await?;
    Ok(())
}
