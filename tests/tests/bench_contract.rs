//! The shared benchmark contract (`loop_text`, `loop_struct`, `loop_parallel`) served by two
//! real servers over stdio, a FastMCP 3.4.11 server running `ctx.sample()` loops and our own
//! `bench_server` example, with our `SamplingClient` and a scripted LLM answering their
//! `sampling/createMessage` requests.
//!
//! The server is `tests/peers/fastmcp/fastmcp_server.py` (a copy of the team's benchmark server;
//! `RMCP_SAMPLING_BENCH_DIR` points at another folder holding `fastmcp_server.py`), run with
//! `RMCP_SAMPLING_PYTHON` or `<repo>/.venv/bin/python`. Make that venv with
//! `tests/peers/setup_python.sh`. Without it the test fails and says how to make it, unless
//! `RMCP_SAMPLING_SKIP_PEERS=1`, which skips it.
//!
//! The scripted LLM follows the benchmark's rules (see the bench README): `count` = the number
//! of tool_result blocks in the request; for `steps=S` it calls `add(count, 1)` until
//! `count == S` then answers `done` (or calls `final_response` when offered); for
//! `width=W sleep_ms=MS` it asks for `W` parallel `nap(MS)` calls, then answers `done`. Each
//! rule checks what the server sent back and answers an error on any mismatch.

// rmcp marks its sampling types deprecated (SEP-2577); the round-trip test reads them.
#![allow(deprecated)]

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use futures::FutureExt;
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, InputRequest, InputResponses, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::testing::{ScriptedLlm, reply};
use rmcp_sampling::{HandlerError, LlmRequest, LlmResponse, ToolResult};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

mod support;
use support::mcp::text_of;
use support::{build_bench_server, repo_root};

type Client = RunningService<RoleClient, SamplingClient<ScriptedLlm>>;

/// The Python and the server script, or `None` when peer tests are skipped.
fn peer() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("RMCP_SAMPLING_SKIP_PEERS").as_deref() == Ok("1") {
        eprintln!("bench_contract: skipped (RMCP_SAMPLING_SKIP_PEERS=1)");
        return None;
    }
    let bench = std::env::var_os("RMCP_SAMPLING_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("tests/peers/fastmcp"));
    let server = bench.join("fastmcp_server.py");
    assert!(
        server.is_file(),
        "no FastMCP server script at {}; RMCP_SAMPLING_BENCH_DIR must name a folder holding \
         fastmcp_server.py (unset it to use tests/peers/fastmcp)",
        server.display()
    );
    let python = std::env::var_os("RMCP_SAMPLING_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    let has_fastmcp = std::process::Command::new(&python)
        .args(["-c", "import fastmcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        has_fastmcp,
        "no Python with FastMCP at {}.\n\
         Create the venv with `tests/peers/setup_python.sh` (from the repository root; it \
         installs tests/peers/fastmcp/requirements.lock into .venv), or point \
         RMCP_SAMPLING_PYTHON at a Python that has fastmcp 3.4.11, or set \
         RMCP_SAMPLING_SKIP_PEERS=1 to skip the peer tests.",
        python.display()
    );
    Some((python, server))
}

/// The case a request belongs to, read from its first message.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    Steps(usize),
    Parallel { width: usize, sleep_ms: u64 },
}

fn case_of(request: &LlmRequest) -> Result<Case, String> {
    let prompt: String = request
        .messages
        .first()
        .and_then(|message| message.text())
        .unwrap_or_default();
    let number = |key: &str| -> Option<u64> {
        prompt
            .split_whitespace()
            .find_map(|part| part.strip_prefix(key)?.parse().ok())
    };
    if let Some(steps) = number("steps=") {
        return Ok(Case::Steps(steps as usize));
    }
    match (number("width="), number("sleep_ms=")) {
        (Some(width), Some(sleep_ms)) => Ok(Case::Parallel {
            width: width as usize,
            sleep_ms,
        }),
        _ => Err(format!("unexpected prompt {prompt:?}")),
    }
}

/// The scripted LLM of the bench README; `steps=13` is declined, to see an error travel back.
fn bench_llm() -> ScriptedLlm {
    let mut next_id = 0u64;
    let mut id = move || {
        next_id += 1;
        format!("toolu_{next_id:08}")
    };
    ScriptedLlm::from_fn(move |request| {
        let case = case_of(request).map_err(HandlerError::other)?;
        let results: Vec<(String, String, bool)> = request
            .messages
            .iter()
            .flat_map(|message| message.results())
            .map(|result| {
                (
                    result.call_id.clone(),
                    result.text_content(),
                    result.is_error,
                )
            })
            .collect();
        let count = results.len();
        match case {
            Case::Steps(13) => Err(HandlerError::declined("thirteen is unlucky")),
            Case::Steps(steps) => {
                if let Some((_, text, _)) = results.last()
                    && *text != count.to_string()
                {
                    return Err(HandlerError::other(format!(
                        "the last tool_result is {text:?}, expected {count:?}"
                    )));
                }
                if count < steps {
                    Ok(reply::tool_use(id(), "add", json!({"a": count, "b": 1})))
                } else if request.tool_names().iter().any(|n| n == "final_response") {
                    let answer = json!({"label": "ok", "score": 0.5});
                    Ok(reply::tool_use(id(), "final_response", answer))
                } else {
                    Ok(LlmResponse::from("done"))
                }
            }
            Case::Parallel { width, sleep_ms } => {
                if count == 0 {
                    let calls = (0..width).map(|_| (id(), "nap", json!({"ms": sleep_ms})));
                    return Ok(reply::tool_uses(calls));
                }
                let expected = sleep_ms.to_string();
                if count != width || results.iter().any(|(_, text, _)| *text != expected) {
                    return Err(HandlerError::other(format!(
                        "expected {width} nap results of {expected:?}, got {results:?}"
                    )));
                }
                Ok("done".into())
            }
        }
    })
}

fn args(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().expect("an object").clone()
}

/// Runs the benchmark contract's three loops (and a declined request) against a connected
/// server and checks every request the scripted LLM received.
async fn exercise_bench_contract(client: &Client, llm: &ScriptedLlm) {
    let tools = client.list_all_tools().await.unwrap();
    for name in ["loop_text", "loop_struct", "loop_parallel"] {
        assert!(tools.iter().any(|tool| tool.name == name), "no {name} tool");
    }

    // loop_text, S = 3: 4 sampling requests, 3 `add` calls.
    let before = llm.request_count();
    let result = client
        .call_tool(
            CallToolRequestParams::new("loop_text").with_arguments(args(json!({"steps": 3}))),
        )
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(text_of(&result), "done", "{result:?}");
    let sent = &llm.requests()[before..];
    assert_eq!(sent.len(), 4);
    for (k, request) in sent.iter().enumerate() {
        assert_eq!(request.tool_names(), ["add"], "request {k}");
        assert_eq!(request.tool_choice, None, "request {k}");
        assert_eq!(request.messages.len(), 1 + 2 * k, "request {k}");
        assert_eq!(request.max_tokens, 512);
        if k == 0 {
            assert_eq!(request.last_text(), "steps=3");
            assert!(request.tool_results().is_empty());
        } else {
            let id = &request.tool_calls()[k - 1].id;
            assert_eq!(
                request.tool_results(),
                [ToolResult::text(id, k.to_string())],
                "request {k}"
            );
        }
    }

    // loop_struct, S = 2: a typed result through `final_response`, toolChoice required.
    let before = llm.request_count();
    let result = client
        .call_tool(
            CallToolRequestParams::new("loop_struct").with_arguments(args(json!({"steps": 2}))),
        )
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let verdict: Value = serde_json::from_str(&text_of(&result)).expect("JSON text");
    assert_eq!(verdict, json!({"label": "ok", "score": 0.5}));
    if let Some(structured) = &result.structured_content {
        assert_eq!(structured, &verdict);
    }
    let sent = &llm.requests()[before..];
    assert_eq!(sent.len(), 3);
    for (k, request) in sent.iter().enumerate() {
        let mut names = request.tool_names();
        names.sort();
        assert_eq!(names, ["add", "final_response"], "request {k}");
        assert_eq!(
            request.tool_choice,
            Some(ToolChoice::Required),
            "request {k}"
        );
    }
    let final_schema = sent[0]
        .tools
        .iter()
        .find(|tool| tool.name == "final_response")
        .map(|tool| Value::Object((*tool.input_schema).clone()))
        .unwrap();
    assert_eq!(
        final_schema["required"],
        json!(["label", "score"]),
        "{final_schema}"
    );

    // loop_parallel, W = 3, MS = 20: 3 `nap` calls in one reply, results in call order.
    let before = llm.request_count();
    let result = client
        .call_tool(
            CallToolRequestParams::new("loop_parallel")
                .with_arguments(args(json!({"width": 3, "sleep_ms": 20}))),
        )
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(text_of(&result), "done", "{result:?}");
    let sent = &llm.requests()[before..];
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].tool_names(), ["nap"]);
    let call_ids: Vec<String> = sent[1].tool_calls().into_iter().map(|c| c.id).collect();
    let result_ids: Vec<String> = sent[1]
        .tool_results()
        .into_iter()
        .map(|result| {
            assert_eq!(
                (result.text_content().as_str(), result.is_error),
                ("20", false)
            );
            result.call_id
        })
        .collect();
    assert_eq!(call_ids.len(), 3);
    assert_eq!(result_ids, call_ids);

    // An LLM error reaches the FastMCP tool as an error, and the connection goes on.
    let result = client
        .call_tool(
            CallToolRequestParams::new("loop_text").with_arguments(args(json!({"steps": 13}))),
        )
        .await;
    let failure = match result {
        Ok(result) => {
            assert_eq!(result.is_error, Some(true), "{result:?}");
            text_of(&result)
        }
        Err(error) => error.to_string(),
    };
    assert!(failure.contains("thirteen is unlucky"), "{failure}");
    let result = client
        .call_tool(
            CallToolRequestParams::new("loop_text").with_arguments(args(json!({"steps": 1}))),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&result), "done", "{result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastmcp_sample_loops_run_through_sampling_client() {
    let Some((python, server)) = peer() else {
        return;
    };
    let llm = bench_llm();
    let mut command = tokio::process::Command::new(&python);
    command.arg(&server);
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the FastMCP server starts");
    // The server's log (FastMCP prints a traceback for the deliberate error below), shown only
    // when the test fails.
    let log = tokio::spawn(async move {
        let mut log = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut log).await;
        }
        log
    });
    // A guard against a hung peer, not a timing assertion.
    let run = async {
        let client = SamplingClient::new(llm.clone())
            .serve(transport)
            .await
            .expect("initialize with the FastMCP server");
        let version = client.peer_info().unwrap().protocol_version.clone();
        assert!(
            version <= ProtocolVersion::V_2025_11_25,
            "FastMCP 3 speaks the handshake era, got {version}"
        );
        exercise_bench_contract(&client, &llm).await;
        client.cancel().await.unwrap();
    };
    let outcome = AssertUnwindSafe(tokio::time::timeout(Duration::from_secs(300), run))
        .catch_unwind()
        .await;
    match outcome {
        Ok(finished) => finished.expect("the FastMCP interop run finished"),
        Err(panic) => {
            if let Ok(Ok(log)) = tokio::time::timeout(Duration::from_secs(5), log).await {
                eprintln!("--- FastMCP server stderr ---\n{log}\n--- end ---");
            }
            std::panic::resume_unwind(panic);
        }
    }
}

/// The same contract against our own `bench_server` example over stdio: our client adapter
/// serving our loop, on the handshake era.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_bench_server_loops_run_through_sampling_client() {
    let server = build_bench_server();
    let llm = bench_llm();
    let transport = TokioChildProcess::new(tokio::process::Command::new(&server))
        .expect("the bench server starts");
    let client = SamplingClient::new(llm.clone())
        .serve(transport)
        .await
        .expect("initialize with our bench server");
    assert_eq!(
        client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2025_11_25
    );
    let run = exercise_bench_contract(&client, &llm);
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the contract run finished");
    client.cancel().await.unwrap();
}

/// Runs the contract against a bench server over stdio; the sampling requests it sent.
async fn requests_of_contract_run(server: &std::path::Path) -> Vec<LlmRequest> {
    let llm = bench_llm();
    let transport = TokioChildProcess::new(tokio::process::Command::new(server))
        .expect("the bench server starts");
    let client = SamplingClient::new(llm.clone())
        .serve(transport)
        .await
        .expect("initialize with the bench server");
    let run = exercise_bench_contract(&client, &llm);
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the contract run finished");
    client.cancel().await.unwrap();
    llm.requests()
}

/// The hand-written baseline of the benchmarks (`bench_raw`, raw rmcp without this crate)
/// fulfils the same contract with the very same sampling requests (tool descriptions and
/// schemas included), so that `bench/run.sh` compares the loops and nothing else. The requests
/// are compared as parsed JSON, not as bytes: the baseline is built without serde_json's
/// `preserve_order`, so the keys of its schemas go out sorted, and a JSON object's key order
/// carries no meaning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hand_written_bench_baseline_fulfils_the_contract_with_the_same_requests() {
    let raw = requests_of_contract_run(&support::build_bench_raw()).await;
    let ours = requests_of_contract_run(&build_bench_server()).await;
    assert!(raw.len() > 10, "{raw:?}");
    assert_eq!(raw.len(), ours.len());
    for (k, (raw, ours)) in raw.iter().zip(&ours).enumerate() {
        assert_eq!(
            serde_json::to_value(raw).unwrap(),
            serde_json::to_value(ours).unwrap(),
            "request {k}"
        );
    }
}

/// Drives `loop_rounds` (the multi round-trip loop of `bench/rounds.sh`) with `steps` add
/// calls on protocol 2026-07-28, round by round, answering each round's one sampling input
/// request by the benchmark's rule; the parameters of every request asked (as JSON), then the
/// final text.
async fn rounds_of(server: &std::path::Path, steps: usize) -> Vec<Value> {
    let transport = TokioChildProcess::new(tokio::process::Command::new(server))
        .expect("the bench server starts");
    let client = SamplingClient::new(ScriptedLlm::new())
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("discover with the bench server");
    let mut params =
        CallToolRequestParams::new("loop_rounds").with_arguments(args(json!({"steps": steps})));
    let mut seen = Vec::new();
    for _ in 0..steps + 2 {
        let response = client
            .call_tool_once(params.clone())
            .await
            .expect("a round");
        let asked = match response {
            CallToolResponse::InputRequired(asked) => asked,
            CallToolResponse::Complete(result) => {
                assert_ne!(result.is_error, Some(true), "{result:?}");
                seen.push(json!(text_of(&result)));
                break;
            }
            other => panic!("unexpected response {other:?}"),
        };
        let mut requests = asked.input_requests.expect("input requests").into_iter();
        let (key, request) = requests.next().expect("one input request");
        assert!(requests.next().is_none(), "one input request per round");
        let InputRequest::CreateMessage(request) = request else {
            panic!("not a sampling request: {request:?}");
        };
        let answer = rmcp_sampling_bench_raw::scripted_round_answer(&request.params, steps);
        seen.push(serde_json::to_value(&request.params).unwrap());
        params.request_state = asked.request_state;
        params.input_responses = Some(InputResponses::from([(key, answer)]));
    }
    client.cancel().await.unwrap();
    seen
}

/// The round-trip benchmark (`bench/rounds.sh`) compares like with like: on 2026-07-28 the
/// hand-written round-trip loop and ours ask the same requests round by round (compared as
/// parsed JSON), each carrying the whole history, and end with the same answer after
/// `steps + 2` rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_round_trip_baseline_asks_the_same_requests_as_ours() {
    let raw = rounds_of(&support::build_bench_raw(), 3).await;
    let ours = rounds_of(&build_bench_server(), 3).await;
    assert_eq!(raw.len(), 5, "{raw:?}");
    assert_eq!(raw.last(), Some(&json!("done")));
    // The last request carries the prompt, three tool calls and their results.
    assert_eq!(
        raw[3]["messages"].as_array().map(Vec::len),
        Some(7),
        "{raw:?}"
    );
    assert_eq!(raw, ours);
}

/// On 2026-07-28 the server cannot push `sampling/createMessage`, and the bench server's tools
/// take no `SamplingContext` (so no multi round-trip): without a handler it says so, and the
/// client keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_bench_server_on_2026_07_28_explains_that_it_needs_a_handler() {
    let server = build_bench_server();
    let llm = bench_llm();
    let transport = TokioChildProcess::new(tokio::process::Command::new(&server))
        .expect("the bench server starts");
    let client = SamplingClient::new(llm.clone())
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("discover with our bench server");
    assert_eq!(
        client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2026_07_28
    );
    let outcome = client
        .call_tool(
            CallToolRequestParams::new("loop_text").with_arguments(args(json!({"steps": 1}))),
        )
        .await;
    let message = match outcome {
        Ok(result) => {
            assert_eq!(result.is_error, Some(true), "{result:?}");
            text_of(&result)
        }
        Err(error) => error.to_string(),
    };
    assert!(
        message.contains("2026-07-28") && message.contains("configure a sampling handler"),
        "{message}"
    );
    assert_eq!(llm.request_count(), 0);
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|tool| tool.name == "loop_text"));
    client.cancel().await.unwrap();
}
