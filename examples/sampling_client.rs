//! An MCP client that serves sampling for any server with an OpenAI-compatible LLM: it starts
//! the server command, lists its tools, and calls one with JSON arguments. Whenever the server
//! asks for an LLM answer (`sampling/createMessage`, pushed on 2025-11-25 or carried by an
//! `InputRequiredResult` on 2026-07-28), `SamplingClient` answers it with the
//! OpenAI-compatible handler.
//!
//! ```sh
//! sampling_client [--initialize] [TOOL [JSON_ARGS]] -- COMMAND [ARGS...]
//! ```
//!
//! It speaks 2026-07-28 when the server does and falls back to the `initialize` handshake
//! (2025-11-25) otherwise; `--initialize` goes straight to the handshake.
//!
//! Configure the LLM with `OPENAI_MODEL` (required), `OPENAI_BASE_URL` (default OpenAI's API;
//! e.g. `http://localhost:11434/v1` for Ollama) and `OPENAI_API_KEY` (if the server wants one).
//! For example, against this workspace's `bench_server` example and a local Ollama:
//!
//! ```sh
//! cargo build --example bench_server
//! OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 \
//!   cargo run --example sampling_client -- loop_text '{"steps": 2}' -- target/debug/examples/bench_server
//! ```
//!
//! The server's stdio goes through `rmcp_sampling::client::LineTransport`, which answers
//! every request it cannot parse under its id (rmcp's `TokioChildProcess` would drop it, and
//! the server would wait forever). Without `TOOL` it only lists the tools. It logs to stderr
//! (`RUST_LOG=debug` for more) and exits with status 1 when the tool call fails or its result
//! is an error.

use std::process::{ExitCode, Stdio};

use anyhow::{Context, bail};
use rmcp::model::ProtocolVersion;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp_sampling::client::{LineTransport, SamplingClient};
use rmcp_sampling::providers::OpenAiHandler;
use serde_json::Value;

/// The command line: the tool to call and its arguments, then the server command.
struct Args {
    tool: Option<String>,
    arguments: serde_json::Map<String, Value>,
    command: Vec<String>,
    initialize: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: sampling_client [--initialize] [TOOL [JSON_ARGS]] -- COMMAND [ARGS...]";
    let Some(split) = all.iter().position(|arg| arg == "--") else {
        bail!("{usage}\n(no `--` before the server command)");
    };
    let (mut before, command) = (&all[..split], &all[split + 1..]);
    let initialize = before.first().is_some_and(|arg| arg == "--initialize");
    if initialize {
        before = &before[1..];
    }
    if command.is_empty() {
        bail!("{usage}\n(no server command after `--`)");
    }
    if before.len() > 2 {
        bail!("{usage}\n(expected at most a tool name and its JSON arguments before `--`)");
    }
    let arguments = match before.get(1) {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => bail!("the tool arguments must be a JSON object, got {text}"),
            Err(error) => bail!("the tool arguments are not JSON ({error}): {text}"),
        },
    };
    Ok(Args {
        tool: before.first().cloned(),
        arguments,
        command: command.to_vec(),
        initialize,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("sampling_client: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the client; `Ok(false)` when the tool's result is an error.
async fn run() -> anyhow::Result<bool> {
    let args = parse_args()?;
    let llm = OpenAiHandler::from_env().context("configuring the LLM")?;
    tracing::info!(model = llm.model(), "LLM configured");

    // Who we are; `SamplingClient` adds the `sampling` + `sampling.tools` capabilities.
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("rmcp-sampling-example-client", env!("CARGO_PKG_VERSION")),
    );
    let client = SamplingClient::new(llm).with_inner(info);

    // The server's stdio through `LineTransport`, not rmcp's `TokioChildProcess`: rmcp's line
    // transports drop a request they cannot parse (a number out of range, deep nesting, array
    // params) without an answer, and the server would wait for it forever.
    let mut server = tokio::process::Command::new(&args.command[0])
        .args(&args.command[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {:?}", args.command.join(" ")))?;
    let (Some(stdout), Some(stdin)) = (server.stdout.take(), server.stdin.take()) else {
        bail!("the server's stdio is not piped");
    };
    let transport = LineTransport::new(stdout, stdin);
    // 2026-07-28 when the server has it, the `initialize` handshake otherwise.
    let lifecycle = if args.initialize {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: None,
        }
    };
    let running = client
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .context("connecting to the server")?;
    if let Some(server) = running.peer_info() {
        tracing::info!(protocol = %server.protocol_version, "connected");
    }

    let tools = running.list_all_tools().await.context("listing tools")?;
    println!("tools:");
    for tool in &tools {
        let description = tool.description.as_deref().unwrap_or("");
        println!(
            "  {}: {}",
            tool.name,
            description.lines().next().unwrap_or("")
        );
    }

    let mut ok = true;
    if let Some(name) = args.tool {
        let params = CallToolRequestParams::new(name.clone()).with_arguments(args.arguments);
        let result = running
            .call_tool(params)
            .await
            .with_context(|| format!("calling {name}"))?;
        println!("{name} result:");
        for block in &result.content {
            match block.as_text() {
                Some(text) => println!("{}", text.text),
                None => println!("{}", serde_json::to_string(block)?),
            }
        }
        if let Some(structured) = &result.structured_content {
            println!("structured: {structured}");
        }
        ok = result.is_error != Some(true);
    }
    running.cancel().await.context("closing the connection")?;
    // The connection is closed (the server's stdin with it); give the server a moment to exit,
    // then `kill_on_drop` ends it.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), server.wait()).await;
    Ok(ok)
}
