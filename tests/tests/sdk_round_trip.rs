//! The official MCP client SDKs of two other languages drive our multi round-trip loop
//! (protocol 2026-07-28, SEP-2322) against the example `conformance_server` over streamable HTTP:
//!
//! - Python: PyPI `mcp` 2.3.0 (`tests/peers/mcp2/requirements.lock`), script
//!   `tests/peers/mcp2/round_trip_client.py`;
//! - TypeScript: npm `@modelcontextprotocol/client` 2.4.0 on Node 22
//!   (`tests/peers/ts_client/package-lock.json`), script `tests/peers/ts_client/round_trip_client.mjs`.
//!
//! Both scripts call the typed tool `add_and_report(2, 3)` with a scripted LLM (turn 1: call `add`;
//! turn 2: call `final_response` with the sum) in three scenarios, and print one JSON report of
//! the same shape: `automatic` (the SDK's own input-required driver answers through its sampling
//! callback), `manual` (one `tools/call` retry per round by hand), `tampered` (a retry with a
//! changed `requestState`). The tests assert on the report and on the server's log (the `add`
//! tool runs once per loop). Given two URLs, a script runs only `replicas`: manual rounds that
//! alternate between two server processes sharing the sealing key (A, B, A).
//!
//! Needs the peers: the Python venv from `tests/peers/setup_python.sh <venv>
//! tests/peers/mcp2/requirements.lock` (`RMCP_SAMPLING_PYTHON_MCP2`, else `<repo>/.venv-mcp2`),
//! and `tests/peers/ts_client/node_modules` from `tests/peers/setup_node.sh`; `./run-tests.sh`
//! makes both. Without them the tests fail and say how to make them, unless
//! `RMCP_SAMPLING_SKIP_PEERS=1`, which skips them.

use std::process::Command;

use serde_json::{Value, json};

mod support;

use support::peers::{python_mcp2, python_script, ts_node, ts_script};
use support::server::{ConformanceServer, STATE_KEY_VAR, logs, run_peer_client};

#[test]
fn python_sdk_2_client_drives_the_rounds_to_the_typed_result() {
    let Some(python) = python_mcp2() else { return };
    let server = ConformanceServer::start();
    let command = python_script(python, "mcp2/round_trip_client.py");
    let report = run_peer_client(command, &[&server], "the Python SDK 2.x client");
    check_report(&report, &server);
}

#[test]
fn typescript_sdk_2_client_drives_the_rounds_to_the_typed_result() {
    let Some(node) = ts_node() else { return };
    let server = ConformanceServer::start();
    let command = ts_script(node, "round_trip_client.mjs");
    let report = run_peer_client(command, &[&server], "the TypeScript SDK 2.x client");
    check_report(&report, &server);
}

/// The Python client sends round 1 to process A, round 2 to B and round 3 to A; the two share
/// the key that seals `requestState`, and the loop completes as on one process.
#[test]
fn python_sdk_2_client_resumes_the_loop_on_another_process() {
    let Some(python) = python_mcp2() else { return };
    let command = python_script(python, "mcp2/round_trip_client.py");
    check_replicas(command, "the Python SDK 2.x client");
}

/// The same with the TypeScript client: rounds on A, B, A.
#[test]
fn typescript_sdk_2_client_resumes_the_loop_on_another_process() {
    let Some(node) = ts_node() else { return };
    let command = ts_script(node, "round_trip_client.mjs");
    check_replicas(command, "the TypeScript SDK 2.x client");
}

/// Runs the peer `command` against two processes that share a key (its `replicas` scenario).
fn check_replicas(mut command: Command, what: &str) {
    let key = "sdk-replica-test-key: 0123456789abcdef0123456789abcdef";
    let a = ConformanceServer::start_with_key(Some(key));
    let b = ConformanceServer::start_with_key(Some(key));
    // The key reaches the servers only; the client never sees it.
    command.env_remove(STATE_KEY_VAR);
    let report = run_peer_client(command, &[&a, &b], what);
    let context = || format!("{report:#}\n{}", logs(&[&a, &b]));
    assert_eq!(report["failures"], json!([]), "{}", context());
    let replicas = &report["scenarios"]["replicas"];
    let servers: Vec<&Value> = replicas["rounds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|round| &round["server"])
        .collect();
    assert_eq!(servers, [0, 1, 0], "rounds alternate: {}", context());
    check_manual(replicas, &context);
    assert_eq!(
        (a.add_runs(), b.add_runs()),
        (0, 1),
        "the tool ran once, on B in round 2: {}",
        context()
    );
}

/// What both SDKs must have seen; `server` is the one they talked to.
fn check_report(report: &Value, server: &ConformanceServer) {
    let context = || format!("{report:#}\n--- server log ---\n{}", server.log());
    assert_eq!(report["failures"], json!([]), "{}", context());

    // The SDK's own driver: 2 LLM turns, then the result (3 tools/call requests).
    let automatic = &report["scenarios"]["automatic"];
    assert_eq!(automatic["protocol_version"], "2026-07-28", "{}", context());
    check_turns(&automatic["requests"], &context);
    check_sum(&automatic["result"], &context);

    // By hand: round 1 and 2 ask for one LLM turn each, round 3 completes.
    check_manual(&report["scenarios"]["manual"], &context);

    // A changed `requestState` is refused before the body runs.
    let tampered = &report["scenarios"]["tampered"]["error"];
    assert_eq!(tampered["code"], -32602, "{}", context());
    assert!(
        tampered["message"]
            .as_str()
            .is_some_and(|m| m.contains("requestState")),
        "{}",
        context()
    );

    // Two loops completed; the tool ran once in each (never again on a replay or a refusal).
    assert_eq!(server.add_runs(), 2, "{}", context());
}

/// Rounds driven by hand: rounds 1 and 2 ask for one LLM turn each, round 3 completes.
fn check_manual(manual: &Value, context: &dyn Fn() -> String) {
    let rounds = manual["rounds"].as_array().expect("rounds is an array");
    assert_eq!(rounds.len(), 3, "{}", context());
    let mut keys = Vec::new();
    for round in &rounds[..2] {
        assert_eq!(round["result_type"], "input_required", "{}", context());
        assert_eq!(
            round["methods"],
            json!(["sampling/createMessage"]),
            "{}",
            context()
        );
        let round_keys = round["keys"].as_array().expect("keys is an array");
        assert_eq!(round_keys.len(), 1, "one LLM turn per round: {}", context());
        let key = round_keys[0].as_str().unwrap_or_default();
        assert!(key.starts_with("sampling-"), "{key}: {}", context());
        assert!(
            round["state_bytes"].as_u64().unwrap_or(0) > 0,
            "{}",
            context()
        );
        keys.push(key.to_owned());
    }
    assert_ne!(keys[0], keys[1], "each turn has its own key: {}", context());
    assert_eq!(rounds[2]["result_type"], "complete", "{}", context());
    check_turns(&manual["requests"], context);
    let answered: Vec<&str> = manual["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|request| request["key"].as_str())
        .collect();
    assert_eq!(
        answered,
        keys,
        "each request answered under its key: {}",
        context()
    );
    check_sum(&manual["result"], context);
}

/// The two sampling requests of one loop: the question, then the history with the tool result.
fn check_turns(requests: &Value, context: &dyn Fn() -> String) {
    let requests = requests.as_array().expect("requests is an array");
    assert_eq!(requests.len(), 2, "two LLM turns: {}", context());
    for request in requests {
        assert_eq!(request["first_text"], "What is 2 + 3?", "{}", context());
        assert_eq!(
            request["system_prompt"],
            "Add the numbers with the add tool, then report the sum.",
            "{}",
            context()
        );
        assert_eq!(
            request["tools"],
            json!(["add", "final_response"]),
            "{}",
            context()
        );
        assert_eq!(request["tool_choice"], "required", "{}", context());
    }
    assert_eq!(requests[0]["messages"], 1, "{}", context());
    assert_eq!(requests[0]["tool_results"], json!([]), "{}", context());
    assert_eq!(
        requests[1]["roles"],
        json!(["user", "assistant", "user"]),
        "{}",
        context()
    );
    assert_eq!(requests[1]["tool_uses"], 1, "{}", context());
    assert_eq!(
        requests[1]["tool_results"],
        json!([{"text": "5", "is_error": false}]),
        "{}",
        context()
    );
}

fn check_sum(result: &Value, context: &dyn Fn() -> String) {
    assert_eq!(result["is_error"], false, "{}", context());
    assert_eq!(result["texts"], json!(["sum: 5"]), "{}", context());
}
