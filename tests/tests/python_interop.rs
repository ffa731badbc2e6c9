//! Interop with the official Python MCP SDK (PyPI `mcp`) as the client of our sampling loop.
//!
//! `tests/peers/python_loop_client.py` spawns the example `bench_server` over stdio, answers its
//! `sampling/createMessage` requests with a scripted LLM that returns `tool_use` blocks, and
//! prints a JSON report of what each request carried and what each `tools/call` returned. The
//! tests below assert on that report. The client runs once; every test reads the same report.
//!
//! Needs a Python with the `mcp` 1.x package: `RMCP_SAMPLING_PYTHON`, or `<repo>/.venv/bin/python`
//! (made by `tests/peers/setup_python.sh`). Without it the tests fail and say how to make it,
//! unless `RMCP_SAMPLING_SKIP_PEERS=1`, which skips them.

use std::process::Stdio;
use std::sync::OnceLock;

use serde_json::{Value, json};
use support::build_bench_server;
use support::peers::{python_mcp1, python_script};

mod support;

/// The client's report, made once; `None` when peer tests are skipped.
fn report() -> Option<&'static Value> {
    static REPORT: OnceLock<Option<Value>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let python = python_mcp1()?;
            let server = build_bench_server();
            let output = python_script(python, "python_loop_client.py")
                .arg(server)
                .stderr(Stdio::inherit())
                .output()
                .expect("the Python client starts");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let report: Value = stdout
                .lines()
                .rev()
                .find_map(|line| serde_json::from_str(line).ok())
                .unwrap_or_else(|| {
                    panic!(
                        "the Python client printed no JSON report (status {}):\n{stdout}",
                        output.status
                    )
                });
            Some(report)
        })
        .as_ref()
}

/// The record of one scenario: its `requests` (one per `sampling/createMessage`) and `result`.
fn scenario(name: &str) -> Option<&'static Value> {
    let report = report()?;
    let found = &report["scenarios"][name];
    assert!(
        found.is_object(),
        "the report has no scenario {name}: {report:#}"
    );
    Some(found)
}

fn requests(scenario: &Value) -> &Vec<Value> {
    scenario["requests"]
        .as_array()
        .expect("requests is an array")
}

fn text_of(result: &Value) -> &str {
    result["texts"][0].as_str().unwrap_or_default()
}

#[test]
fn python_client_saw_no_protocol_violation() {
    let Some(report) = report() else { return };
    assert_eq!(report["failures"], json!([]), "{report:#}");
    assert_eq!(report["protocol_version"], "2025-11-25");
    let tools = report["tools"].as_array().expect("tools is an array");
    for tool in ["loop_text", "loop_struct", "loop_parallel"] {
        assert!(
            tools.contains(&json!(tool)),
            "{tool} is not listed: {tools:?}"
        );
    }
}

#[test]
fn text_loop_runs_several_steps_and_returns_the_text() {
    let Some(s) = scenario("text_loop") else {
        return;
    };
    let requests = requests(s);
    assert_eq!(requests.len(), 4, "3 steps, then the answer: {s:#}");
    for (k, request) in requests.iter().enumerate() {
        assert_eq!(request["messages"], json!(1 + 2 * k), "request {k}");
        assert_eq!(request["first_text"], "steps=3");
        assert_eq!(request["max_tokens"], 512);
        assert_eq!(request["tools"], json!(["add"]));
        assert_eq!(request["tool_choice"], Value::Null, "request {k}");
        if k > 0 {
            // add(k - 1, 1), answered in the next request (the client checked the ids).
            let results = &request["tool_results"];
            assert_eq!(results.as_array().map(Vec::len), Some(1), "request {k}");
            assert_eq!(results[0]["text"], k.to_string(), "request {k}");
            assert_eq!(results[0]["is_error"], false, "request {k}");
        }
    }
    let add = &requests[0]["tool_schemas"]["add"];
    assert_eq!(add["type"], "object");
    assert_eq!(add["properties"]["a"]["type"], "integer");
    assert_eq!(add["properties"]["b"]["type"], "integer");
    assert_eq!(add["required"], json!(["a", "b"]));
    assert_eq!(s["result"]["is_error"], false);
    assert_eq!(s["result"]["texts"], json!(["done"]));
}

#[test]
fn typed_loop_requires_a_tool_on_every_request_and_returns_the_object() {
    let Some(s) = scenario("typed_loop") else {
        return;
    };
    let requests = requests(s);
    assert_eq!(requests.len(), 3, "2 steps, then final_response: {s:#}");
    for (k, request) in requests.iter().enumerate() {
        assert_eq!(
            request["tools"],
            json!(["add", "final_response"]),
            "request {k}"
        );
        assert_eq!(request["tool_choice"], "required", "request {k}");
        assert_eq!(request["messages"], json!(1 + 2 * k), "request {k}");
    }
    let verdict = &requests[0]["tool_schemas"]["final_response"];
    assert_eq!(verdict["properties"]["label"]["type"], "string");
    assert_eq!(verdict["properties"]["score"]["type"], "number");
    assert_eq!(verdict["required"], json!(["label", "score"]));
    let expected = json!({ "label": "ok", "score": 0.5 });
    assert_eq!(s["result"]["is_error"], false);
    let text: Value = serde_json::from_str(text_of(&s["result"])).expect("the text is JSON");
    assert_eq!(text, expected);
    assert_eq!(s["result"]["structured"], expected);
}

#[test]
fn parallel_batch_returns_every_result_in_call_order() {
    let Some(s) = scenario("parallel") else {
        return;
    };
    let requests = requests(s);
    assert_eq!(requests.len(), 2, "{s:#}");
    assert_eq!(requests[0]["tools"], json!(["nap"]));
    let results = requests[1]["tool_results"]
        .as_array()
        .expect("tool_results is an array");
    assert_eq!(results.len(), 4, "one result per nap: {results:?}");
    for result in results {
        assert_eq!(result["text"], "20");
        assert_eq!(result["is_error"], false);
    }
    // The scripted LLM numbers its calls in order, so call order is id order.
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["tool_use_id"].as_str().unwrap_or_default())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "results out of call order");
    assert_eq!(s["result"]["is_error"], false);
    assert_eq!(s["result"]["texts"], json!(["done"]));
}

#[test]
fn unknown_tools_and_bad_arguments_go_back_to_the_llm_and_the_loop_goes_on() {
    let Some(s) = scenario("bad_calls") else {
        return;
    };
    let requests = requests(s);
    assert_eq!(requests.len(), 3, "{s:#}");

    let unknown = &requests[1]["tool_results"];
    assert_eq!(unknown[0]["is_error"], true, "{unknown}");
    let message = unknown[0]["text"].as_str().unwrap_or_default();
    assert!(
        message.contains("Unknown tool 'subtract'") && message.contains("add, nap"),
        "{message}"
    );

    let batch = requests[2]["tool_results"]
        .as_array()
        .expect("tool_results is an array");
    assert_eq!(batch.len(), 4, "{batch:?}");
    let wrong_type = batch[0]["text"].as_str().unwrap_or_default();
    assert_eq!(batch[0]["is_error"], true);
    assert!(
        wrong_type.contains("Invalid arguments for tool 'add'") && wrong_type.contains("\"one\""),
        "{wrong_type}"
    );
    let missing = batch[1]["text"].as_str().unwrap_or_default();
    assert_eq!(batch[1]["is_error"], true);
    assert!(
        missing.contains("Invalid arguments for tool 'add'") && missing.contains("`b`"),
        "{missing}"
    );
    assert_eq!(batch[2]["is_error"], true);
    assert!(
        batch[2]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("overflows"),
        "{batch:?}"
    );
    assert_eq!(
        batch[3],
        json!({ "tool_use_id": batch[3]["tool_use_id"], "text": "5", "is_error": false })
    );

    assert_eq!(s["result"]["is_error"], false);
    assert_eq!(s["result"]["texts"], json!(["recovered"]));
}

#[test]
fn a_client_that_declines_fails_the_tool_with_its_message() {
    let Some(s) = scenario("client_error") else {
        return;
    };
    assert_eq!(requests(s).len(), 1);
    assert_eq!(s["result"]["is_error"], true, "{s:#}");
    assert!(text_of(&s["result"]).contains("the user declined"), "{s:#}");
}

#[test]
fn an_llm_that_never_stops_ends_at_the_iterations_cap() {
    let Some(s) = scenario("endless_llm") else {
        return;
    };
    let requests = requests(s);
    assert_eq!(requests.len(), 100, "the default cap is 100 requests");
    assert_eq!(
        requests[99]["tool_choice"], "none",
        "the last request asks for an answer"
    );
    assert_eq!(s["result"]["is_error"], true, "{}", s["result"]);
    assert!(
        text_of(&s["result"]).contains("maximum of 100 iterations"),
        "{}",
        s["result"]
    );
}

#[test]
fn a_client_without_sampling_tools_gets_an_error_that_names_the_capability() {
    let Some(s) = scenario("no_sampling_tools") else {
        return;
    };
    assert_eq!(requests(s).len(), 0, "no request may reach such a client");
    assert_eq!(s["result"]["is_error"], true, "{s:#}");
    assert!(
        text_of(&s["result"]).contains("the client must advertise the sampling.tools capability"),
        "{s:#}"
    );
}

#[test]
fn a_client_without_sampling_gets_a_clear_error() {
    let Some(s) = scenario("no_sampling") else {
        return;
    };
    assert_eq!(s["result"]["is_error"], true, "{s:#}");
    assert!(
        text_of(&s["result"]).contains("client does not support sampling"),
        "{s:#}"
    );
}

#[test]
fn bad_tool_arguments_from_the_mcp_client_are_refused() {
    let Some(s) = scenario("bad_mcp_arguments") else {
        return;
    };
    assert_eq!(requests(s).len(), 0, "no loop may start: {s:#}");
    let refused = s["result"]["is_error"] == true || s["result"]["jsonrpc_error"].is_string();
    assert!(refused, "{s:#}");
    assert!(s["result"].to_string().contains("many"), "{s:#}");
}
