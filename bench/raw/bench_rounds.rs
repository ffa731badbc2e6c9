//! The round-trip benchmark's driver: runs `--calls` tool calls of a k-round text loop on
//! protocol 2026-07-28 (multi round-trip, SEP-2322) against a server started over stdio, with
//! rmcp's own client driving the rounds (`call_tool_once`) and a scripted LLM answering each
//! round's `sampling/createMessage` input request by the benchmark's rule: with `c` tool
//! results in the request, `add(c, 1)` while `c < steps`, then the text `done`. A loop of
//! `steps` tool calls makes `steps + 1` LLM requests and takes `steps + 2` rounds (`tools/call`
//! requests): the first asks, the last answers.
//!
//! Prints one JSON line: the rounds per call, wall time per round, and the server's CPU time
//! (`/proc/PID/task/*/schedstat`, the server's process only) per round over the timed calls.
//! `bench/rounds.sh` runs it under callgrind for instructions per round.
//!
//! ```text
//! bench_rounds --server-cmd "target/release/bench_raw" --steps 20 --calls 10 [--warmup 2]
//!              [--tool loop_rounds]
//! ```

// The sampling types are deprecated in rmcp 3.11 (SEP-2577); the client answers them.
#![allow(deprecated)]

use std::time::Instant;

use anyhow::{Context, bail};
use rmcp::ClientHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, ClientConfig, Implementation,
    InputRequest, InputResponses, ProtocolVersion, SamplingCapability,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::TokioChildProcess;
use rmcp_sampling_bench_raw::scripted_round_answer;
use serde_json::{Value, json};

/// A client that declares sampling with tools: it answers through input responses only.
#[derive(Clone, Default)]
struct Driver;

impl ClientHandler for Driver {
    fn get_info(&self) -> ClientConfig {
        let mut sampling = SamplingCapability::default();
        sampling.tools = Some(Default::default());
        let mut capabilities = ClientCapabilities::default();
        capabilities.sampling = Some(sampling);
        ClientConfig::new(capabilities, Implementation::new("bench_rounds", "0.1.0"))
    }
}

struct Args {
    server: Vec<String>,
    tool: String,
    steps: u32,
    calls: u32,
    warmup: u32,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        server: Vec::new(),
        tool: "loop_rounds".into(),
        steps: 20,
        calls: 10,
        warmup: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server-cmd" => args.server = value.split_whitespace().map(str::to_owned).collect(),
            "--tool" => args.tool = value,
            "--steps" => args.steps = value.parse()?,
            "--calls" => args.calls = value.parse()?,
            "--warmup" => args.warmup = value.parse()?,
            other => bail!("unknown flag {other}"),
        }
    }
    if args.server.is_empty() {
        bail!("--server-cmd is required");
    }
    Ok(args)
}

/// On-CPU nanoseconds of every thread of process `pid`.
fn sched_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(|task| {
            let path = task.ok()?.path().join("schedstat");
            let text = std::fs::read_to_string(path).ok()?;
            text.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum()
}

/// The scripted LLM's answer to one sampling input request.
fn answer(request: &InputRequest, steps: u32) -> anyhow::Result<Value> {
    let InputRequest::CreateMessage(request) = request else {
        bail!("not a sampling request: {request:?}");
    };
    Ok(scripted_round_answer(&request.params, steps as usize))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let mut command = tokio::process::Command::new(&args.server[0]);
    command.args(&args.server[1..]);
    let transport = TokioChildProcess::new(command).context("the server starts")?;
    let pid = transport.id().context("the server's pid")?;
    let client = Driver
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .context("discover with the server")?;
    let version = client.peer_info().map(|info| info.protocol_version.clone());
    if version != Some(ProtocolVersion::V_2026_07_28) {
        bail!("the server negotiated {version:?}, not 2026-07-28");
    }
    let mut arguments = serde_json::Map::new();
    arguments.insert("steps".into(), args.steps.into());
    let mut rounds = 0u64;
    let (mut started, mut cpu0) = (Instant::now(), 0);
    for call in 0..args.warmup + args.calls {
        if call == args.warmup {
            started = Instant::now();
            cpu0 = sched_ns(pid);
            rounds = 0;
        }
        let mut params = CallToolRequestParams::new(args.tool.clone());
        params.arguments = Some(arguments.clone());
        loop {
            rounds += 1;
            match client.call_tool_once(params.clone()).await? {
                CallToolResponse::InputRequired(asked) => {
                    let mut answers = InputResponses::new();
                    for (key, request) in asked.input_requests.iter().flatten() {
                        answers.insert(key.clone(), answer(request, args.steps)?);
                    }
                    params.request_state = asked.request_state;
                    params.input_responses = Some(answers);
                }
                CallToolResponse::Complete(result) => {
                    let text = serde_json::to_string(&result.content)?;
                    if result.is_error == Some(true) || !text.contains("done") {
                        bail!("the loop failed: {text}");
                    }
                    break;
                }
                other => bail!("unexpected response {other:?}"),
            }
        }
    }
    let wall = started.elapsed();
    let cpu = sched_ns(pid).saturating_sub(cpu0);
    let expected = u64::from(args.calls) * u64::from(args.steps + 2);
    if rounds != expected {
        bail!("{rounds} rounds, expected {expected}");
    }
    client.cancel().await?;
    println!(
        "{}",
        json!({
            "tool": args.tool,
            "steps": args.steps,
            "calls": args.calls,
            "rounds": rounds,
            "wall_us_per_round": wall.as_secs_f64() * 1e6 / rounds as f64,
            "server_cpu_sched_per_round_us": cpu as f64 / 1e3 / rounds as f64,
        })
    );
    Ok(())
}
