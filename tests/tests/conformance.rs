//! The official MCP conformance suite (npm `@modelcontextprotocol/conformance`, pinned in
//! `tests/peers/conformance/`) against `examples/conformance_server.rs`, a streamable-HTTP server
//! whose sampling tools run our loop through the client's LLM.
//!
//! - `tools-call-sampling` (2025-06-18 / 2025-11-25): must pass.
//! - `tools-call-elicitation`, `elicitation-sep1034-defaults`, `elicitation-sep1330-enums`
//!   (2025-11-25): must pass.
//! - The 14 2026-07-28 multi round-trip (`input-required-result-*`) scenarios: must pass, the
//!   prompt of `-non-tool-request` included, with one WARNING: `-ignore-extra-params` (an answer sent without the `requestState` that asked for
//!   it is not trusted: it could approve a tool call nobody was asked about).
//!
//! The suite runs with the Node 22 the lock pins (`node_modules/.bin/node`). Without
//! `tests/peers/conformance/node_modules` those two tests fail and say to run
//! `tests/peers/setup_node.sh`, unless `RMCP_SAMPLING_SKIP_PEERS=1`, which skips them.
//!
//! The other tests drive the same server with rmcp's own streamable-HTTP client and need no
//! Node: what the loop sends to the client's LLM, and the bad inputs (no sampling capability,
//! bad arguments, a failing LLM).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::ScriptedLlm;
use rmcp_sampling::{HandlerError, Role};
use serde_json::{Value, json};

mod support;

use support::mcp::{call, text_of, within};
use support::server::{ConformanceServer, scratch_dir, wait_guarded};

/// What the conformance client's LLM answers to every sampling request.
const CONFORMANCE_LLM_TEXT: &str = "This is a test response from the client";

// ---------------------------------------------------------------------------------------------
// The conformance suite
// ---------------------------------------------------------------------------------------------

#[test]
fn tools_call_sampling_scenario_passes() {
    let Some(cli) = conformance_cli() else { return };
    let server = ConformanceServer::start();
    let run = cli.run("tools-call-sampling", &server.url);
    let report = run.describe(&server);

    assert!(run.status.success(), "the scenario failed:\n{report}");
    let failures: Vec<&Value> = run
        .checks
        .iter()
        .filter(|check| check["status"] == "FAILURE")
        .collect();
    assert!(failures.is_empty(), "failed checks {failures:#?}\n{report}");
    let check = run.check("tools-call-sampling", &report);
    assert_eq!(check["status"], "SUCCESS", "{report}");
    assert_eq!(check["details"]["samplingRequested"], true, "{report}");
    assert_eq!(
        check["details"]["result"]["content"],
        json!([{"type": "text", "text": format!("LLM response: {CONFORMANCE_LLM_TEXT}")}]),
        "the tool returns the client LLM's text:\n{report}"
    );
    assert_eq!(run.check("wire-schema-valid", &report)["status"], "SUCCESS");
}

/// The 2026-07-28 multi round-trip scenarios a sampling tool can pass (SEP-2322): the tool
/// answers with an `InputRequiredResult` carrying a `sampling/createMessage` input request and a
/// sealed `requestState`, completes when retried with the answer, asks only through the
/// capabilities the request declares, and refuses a tampered state with a JSON-RPC error.
#[test]
fn input_required_scenarios_pass() {
    let Some(cli) = conformance_cli() else { return };
    let server = ConformanceServer::start();
    for (scenario, checks) in [
        (
            "input-required-result-basic-elicitation",
            &[
                "sep-2322-elicitation-incomplete",
                "sep-2322-elicitation-complete",
            ][..],
        ),
        (
            "input-required-result-basic-list-roots",
            &[
                "sep-2322-list-roots-incomplete",
                "sep-2322-list-roots-complete",
            ][..],
        ),
        (
            "input-required-result-request-state",
            &[
                "sep-2322-request-state-incomplete",
                "sep-2322-request-state-complete",
            ][..],
        ),
        (
            "input-required-result-multiple-input-requests",
            &[
                "sep-2322-multiple-inputs-incomplete",
                "sep-2322-multiple-inputs-complete",
            ][..],
        ),
        (
            "input-required-result-multi-round",
            &[
                "sep-2322-multi-round-r1",
                "sep-2322-multi-round-r2",
                "sep-2322-multi-round-r3",
            ][..],
        ),
        (
            "input-required-result-missing-input-response",
            &["sep-2322-missing-response-rerequests"][..],
        ),
        (
            "input-required-result-result-type",
            &["sep-2322-result-type-included"][..],
        ),
        (
            "input-required-result-unsupported-methods",
            &["sep-2322-not-on-unsupported-requests"][..],
        ),
        (
            "input-required-result-validate-input",
            &[
                "sep-2322-validate-input-responses",
                "sep-2322-error-on-protocol-error",
            ][..],
        ),
        (
            "input-required-result-non-tool-request",
            &["sep-2322-non-tool-incomplete", "sep-2322-non-tool-complete"][..],
        ),
        // Its one check is a WARNING by design (see the module documentation).
        ("input-required-result-ignore-extra-params", &[][..]),
        (
            "input-required-result-basic-sampling",
            &["sep-2322-sampling-incomplete", "sep-2322-sampling-complete"][..],
        ),
        (
            "input-required-result-capability-check",
            &["sep-2322-respect-client-capabilities"][..],
        ),
        (
            "input-required-result-tampered-state",
            &["sep-2322-reject-tampered-state"][..],
        ),
    ] {
        let run = cli.run(scenario, &server.url);
        let report = run.describe(&server);
        assert!(run.status.success(), "{scenario} failed:\n{report}");
        let failures: Vec<&Value> = run
            .checks
            .iter()
            .filter(|check| check["status"] == "FAILURE")
            .collect();
        assert!(
            failures.is_empty(),
            "{scenario}: failed checks {failures:#?}\n{report}"
        );
        for id in checks {
            assert_eq!(
                run.check(id, &report)["status"],
                "SUCCESS",
                "{scenario}: {report}"
            );
        }
        assert_eq!(run.check("wire-schema-valid", &report)["status"], "SUCCESS");
    }

    // The basic scenario's request carries the question, and the retry's answer comes back.
    let run = cli.run("input-required-result-basic-sampling", &server.url);
    let report = run.describe(&server);
    let asked = &run.check("sep-2322-sampling-incomplete", &report)["details"]["result"];
    let request = asked["inputRequests"]
        .as_object()
        .and_then(|requests| requests.values().next())
        .cloned()
        .unwrap_or_default();
    assert_eq!(request["method"], "sampling/createMessage", "{report}");
    assert_eq!(
        request["params"]["messages"][0]["content"]["text"], "What is the capital of France?",
        "{report}"
    );
    assert!(asked["requestState"].is_string(), "{report}");
    let done = &run.check("sep-2322-sampling-complete", &report)["details"]["result"];
    assert_eq!(
        done["content"],
        json!([{"type": "text", "text": "LLM response: The capital of France is Paris."}]),
        "{report}"
    );
}

/// The elicitation scenarios of protocol 2025-11-25, where the server pushes
/// `elicitation/create` to the client: a form typed by a Rust struct, with defaults (SEP-1034)
/// and every enum shape (SEP-1330).
#[test]
fn elicitation_scenarios_pass() {
    let Some(cli) = conformance_cli() else { return };
    let server = ConformanceServer::start();
    for (scenario, checks) in [
        ("tools-call-elicitation", &["tools-call-elicitation"][..]),
        (
            "elicitation-sep1034-defaults",
            &[
                "elicitation-sep1034-string-default",
                "elicitation-sep1034-integer-default",
                "elicitation-sep1034-number-default",
                "elicitation-sep1034-enum-default",
                "elicitation-sep1034-boolean-default",
            ][..],
        ),
        (
            "elicitation-sep1330-enums",
            &[
                "elicitation-sep1330-untitled-single",
                "elicitation-sep1330-titled-single",
                "elicitation-sep1330-legacy-enumnames",
                "elicitation-sep1330-untitled-multi",
                "elicitation-sep1330-titled-multi",
            ][..],
        ),
    ] {
        let run = cli.run(scenario, &server.url);
        let report = run.describe(&server);
        assert!(run.status.success(), "{scenario} failed:\n{report}");
        for id in checks {
            assert_eq!(
                run.check(id, &report)["status"],
                "SUCCESS",
                "{scenario}: {report}"
            );
        }
        assert_eq!(run.check("wire-schema-valid", &report)["status"], "SUCCESS");
    }
}

/// The installed conformance suite: the Node the lock pins and the CLI's entry point.
struct ConformanceCli {
    node: PathBuf,
    cli: PathBuf,
}

/// The suite, or `None` when peer tests are skipped.
fn conformance_cli() -> Option<ConformanceCli> {
    if std::env::var("RMCP_SAMPLING_SKIP_PEERS").as_deref() == Ok("1") {
        eprintln!("conformance: skipped (RMCP_SAMPLING_SKIP_PEERS=1)");
        return None;
    }
    let bin = support::repo_root().join("tests/peers/conformance/node_modules/.bin");
    let suite = ConformanceCli {
        node: bin.join("node"),
        cli: bin.join("conformance"),
    };
    assert!(
        suite.node.is_file() && suite.cli.is_file(),
        "the MCP conformance suite is not installed ({} or {} is missing).\n\
         Install it with `bash tests/peers/setup_node.sh` (from the repository root; needs node, \
         npm and the npm registry), or set RMCP_SAMPLING_SKIP_PEERS=1 to skip the peer tests.",
        suite.node.display(),
        suite.cli.display()
    );
    Some(suite)
}

/// One run of the CLI on one scenario.
struct ScenarioRun {
    status: ExitStatus,
    /// The checks the CLI saved (`checks.json`).
    checks: Vec<Value>,
    /// What the CLI printed.
    output: String,
}

impl ConformanceCli {
    /// Runs `conformance server --scenario <scenario>` against `url`.
    fn run(&self, scenario: &str, url: &str) -> ScenarioRun {
        let dir = scratch_dir(scenario);
        let results = dir.join("results");
        let log = dir.join("cli.log");
        let log_file = File::create(&log).expect("the CLI log can be created");
        let mut child = Command::new(&self.node)
            .arg(&self.cli)
            .args(["server", "--url", url, "--scenario", scenario, "-o"])
            .arg(&results)
            // The CLI's own per-scenario limit, kept under the guard.
            .args(["--timeout", "120000"])
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("the log file handle clones"))
            .stderr(log_file)
            .spawn()
            .expect("the conformance CLI starts");
        let status = wait_guarded(&mut child, "the conformance CLI");
        let output = fs::read_to_string(&log).unwrap_or_default();
        let checks = read_checks(&results).unwrap_or_else(|error| {
            panic!("no results from the CLI ({status}): {error}\n--- CLI output ---\n{output}")
        });
        ScenarioRun {
            status,
            checks,
            output,
        }
    }
}

impl ScenarioRun {
    /// The check `id`; fails the test with `report` when there is none.
    fn check(&self, id: &str, report: &str) -> &Value {
        self.checks
            .iter()
            .find(|check| check["id"] == id)
            .unwrap_or_else(|| panic!("no check {id:?}\n{report}"))
    }

    /// Everything worth reading when an assertion fails.
    fn describe(&self, server: &ConformanceServer) -> String {
        format!(
            "exit: {}\n--- checks ---\n{:#}\n--- CLI output ---\n{}\n--- server log ---\n{}",
            self.status,
            Value::Array(self.checks.clone()),
            self.output,
            server.log()
        )
    }
}

/// The `checks.json` the CLI saved under `results/<one directory per run>/`.
fn read_checks(results: &Path) -> Result<Vec<Value>, String> {
    let entries = fs::read_dir(results).map_err(|e| format!("{}: {e}", results.display()))?;
    let file = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("checks.json"))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("no */checks.json under {}", results.display()))?;
    let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

// ---------------------------------------------------------------------------------------------
// The same server through rmcp's client (no Node)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_sampling_sends_the_prompt_with_max_tokens_100_and_returns_the_text() {
    let server = ConformanceServer::start();
    let llm = ScriptedLlm::new().then_text("Paris");
    let client = SamplingClient::new(llm.clone())
        .serve(StreamableHttpClientTransport::from_uri(server.url.as_str()))
        .await
        .expect("initialize over streamable HTTP");

    let result = within(client.call_tool(sampling_call(json!({"prompt": "Capital of France?"}))))
        .await
        .expect("test_sampling answers");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert_eq!(text_of(&result), "LLM response: Paris");

    let requests = llm.requests();
    assert_eq!(requests.len(), 1, "one LLM call: {requests:?}");
    let request = &requests[0];
    assert_eq!(request.max_tokens, 100);
    assert_eq!(request.messages.len(), 1, "{request:?}");
    assert_eq!(request.messages[0].role, Role::User);
    assert_eq!(
        request.messages[0].text().as_deref(),
        Some("Capital of France?")
    );
    assert!(request.tools.is_empty(), "no tools offered: {request:?}");
    client.cancel().await.expect("the client closes");
}

#[tokio::test]
async fn a_client_without_sampling_gets_a_tool_error_and_the_server_keeps_serving() {
    let server = ConformanceServer::start();
    // `()` declares no client capability at all.
    let client =
        ().serve(StreamableHttpClientTransport::from_uri(server.url.as_str()))
            .await
            .expect("initialize over streamable HTTP");

    let result = within(client.call_tool(sampling_call(json!({"prompt": "hi"}))))
        .await
        .expect("test_sampling answers with a tool result");
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(
        text_of(&result).contains("client does not support sampling"),
        "{result:?}"
    );

    let tools = within(client.list_all_tools())
        .await
        .expect("tools/list after the failed call");
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "add_and_report",
            "settle_order",
            "test_elicitation",
            "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums",
            "test_input_required_result_capabilities",
            "test_input_required_result_elicitation",
            "test_input_required_result_list_roots",
            "test_input_required_result_multi_round",
            "test_input_required_result_multiple_inputs",
            "test_input_required_result_request_state",
            "test_input_required_result_sampling",
            "test_input_required_result_tampered_state",
            "test_sampling",
        ],
        "the server keeps serving its tools"
    );
    client.cancel().await.expect("the client closes");
}

/// rmcp answers arguments that do not fit the tool's schema with a tool error (`isError`)
/// that names the problem, before the tool (and so the LLM) runs.
#[tokio::test]
async fn bad_arguments_are_tool_errors_and_never_reach_the_llm() {
    let server = ConformanceServer::start();
    let llm = ScriptedLlm::new().then_text("unused");
    let client = SamplingClient::new(llm.clone())
        .serve(StreamableHttpClientTransport::from_uri(server.url.as_str()))
        .await
        .expect("initialize over streamable HTTP");

    for (arguments, problem) in [
        (json!({}), "missing field `prompt`"),
        (
            json!({"prompt": 5}),
            "invalid type: integer `5`, expected a string",
        ),
        (
            json!({"prompt": null}),
            "invalid type: null, expected a string",
        ),
        (
            json!({"prompt": ["a", "b"]}),
            "invalid type: sequence, expected a string",
        ),
    ] {
        let result = within(client.call_tool(sampling_call(arguments.clone())))
            .await
            .unwrap_or_else(|error| panic!("{arguments}: expected a tool error, got {error:?}"));
        assert_eq!(result.is_error, Some(true), "{arguments}: {result:?}");
        let text = text_of(&result);
        assert!(
            text.contains("failed to deserialize parameters") && text.contains(problem),
            "{arguments}: {text}"
        );
    }
    assert_eq!(llm.request_count(), 0, "no LLM call for a bad call");

    // The server still serves a good call on the same session.
    let result = within(client.call_tool(sampling_call(json!({"prompt": "hi"}))))
        .await
        .expect("test_sampling answers");
    assert_eq!(text_of(&result), "LLM response: unused", "{result:?}");
    client.cancel().await.expect("the client closes");
}

#[tokio::test]
async fn a_failing_client_llm_is_a_tool_error_that_says_so() {
    let server = ConformanceServer::start();
    let llm = ScriptedLlm::new().then_error(HandlerError::other("the model is overloaded"));
    let client = SamplingClient::new(llm.clone())
        .serve(StreamableHttpClientTransport::from_uri(server.url.as_str()))
        .await
        .expect("initialize over streamable HTTP");

    let result = within(client.call_tool(sampling_call(json!({"prompt": "hi"}))))
        .await
        .expect("test_sampling answers with a tool result");
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(
        text_of(&result).contains("the model is overloaded"),
        "the client's error reaches the caller: {result:?}"
    );
    assert_eq!(llm.request_count(), 1);
    client.cancel().await.expect("the client closes");
}

fn sampling_call(arguments: Value) -> CallToolRequestParams {
    assert!(arguments.is_object(), "arguments must be a JSON object");
    call("test_sampling", arguments)
}
