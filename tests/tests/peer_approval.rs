//! The official MCP client SDKs drive a sampling loop whose tool needs the user's approval, each
//! answering the approval form with its own elicitation handler, against the example
//! `conformance_server` over streamable HTTP on 127.0.0.1:
//!
//! - Python SDK 2.3 (`tests/peers/mcp2/approval_client.py`) and TypeScript SDK 2.4
//!   (`tests/peers/ts_client/approval_client.mjs`) on 2026-07-28: the LLM's turns and the
//!   approval are input requests of `InputRequiredResult` rounds, answered by the SDK's own
//!   driver through its sampling and elicitation handlers (and once by hand, round by round);
//! - Python SDK 1.x (`tests/peers/python_approval_client.py`) on 2025-11-25: the server pushes
//!   `sampling/createMessage` and `elicitation/create` to the client's callbacks.
//!
//! The server's tool `settle_order(order_id)` runs a loop that offers the LLM a `refund` tool
//! marked `#[sampling_tool(approval)]`. Each client's scripted LLM first calls `refund` with the
//! order of the prompt, then answers with the text of the tool result it read
//! (`LLM read: <text> (error: <bool>)`), so the tool's final text shows what reached the LLM.
//! Each scenario uses its own order, and the server's log says which refunds actually ran.
//!
//! Scenarios, on each client: the user accepts, declines or dismisses (cancel) the form; a
//! client without the `elicitation` capability (nobody is asked, the refund does not run); two
//! refunds in one LLM reply, one approved and one declined (on 2026-07-28 both forms go out in
//! one round, answered by the SDK's driver and by hand). The 2026-07-28 clients also drive the
//! rounds by hand, which shows each round's input requests: the approval has its own round and
//! is not asked again in the next.
//!
//! Needs the peers (`./run-tests.sh` installs them and sets `RMCP_SAMPLING_PYTHON` and
//! `RMCP_SAMPLING_PYTHON_MCP2`); without them the tests fail and say how to install them, unless
//! `RMCP_SAMPLING_SKIP_PEERS=1`, which skips them.

use serde_json::{Value, json};

mod support;

use support::peers::{python_mcp1, python_mcp2, python_script, ts_node, ts_script};
use support::server::{ConformanceServer, run_peer_client};

/// What the LLM reads when the user declines the refund.
const DECLINED: &str =
    "The user declined to run tool 'refund' with these arguments: the call did not run.";

/// What the LLM reads when the user dismisses the approval.
const DISMISSED: &str = "The user dismissed the approval of tool 'refund': the call did not run.";

/// What the LLM reads when the client cannot be asked (no `elicitation` capability).
const CANNOT_ASK: &str = "Tool 'refund' needs the user's approval, and the user cannot be asked \
                          here: the call did not run.";

#[test]
fn python_sdk_2_client_approves_or_refuses_a_refund_on_2026_07_28() {
    let Some(python) = python_mcp2() else { return };
    let server = ConformanceServer::start();
    let command = python_script(python, "mcp2/approval_client.py");
    let report = run_peer_client(command, &[&server], "the Python SDK 2.x approval client");
    check_modern(&report, &server);
}

#[test]
fn typescript_sdk_2_client_approves_or_refuses_a_refund_on_2026_07_28() {
    let Some(node) = ts_node() else { return };
    let server = ConformanceServer::start();
    let command = ts_script(node, "approval_client.mjs");
    let report = run_peer_client(
        command,
        &[&server],
        "the TypeScript SDK 2.x approval client",
    );
    check_modern(&report, &server);
}

#[test]
fn python_sdk_1_client_approves_or_refuses_a_refund_on_2025_11_25() {
    let Some(python) = python_mcp1() else { return };
    let server = ConformanceServer::start();
    let command = python_script(python, "python_approval_client.py");
    let report = run_peer_client(command, &[&server], "the Python SDK 1.x approval client");
    let context = || format!("{report:#}\n--- server log ---\n{}", server.log());
    assert_eq!(report["failures"], json!([]), "{}", context());
    check_answers(&report, "2025-11-25", &server, &context);

    // Two refunds in one LLM reply: both forms pushed, one approved, one declined.
    let two = &report["scenarios"]["two"];
    assert_eq!(two["protocol_version"], "2025-11-25", "{}", context());
    check_two(two, "T-6", &server, &context);

    assert_eq!(
        server.all_refund_runs(),
        2,
        "only the approved refunds ran: {}",
        context()
    );
}

/// What both 2026-07-28 clients must have seen; `server` is the one they talked to.
fn check_modern(report: &Value, server: &ConformanceServer) {
    let context = || format!("{report:#}\n--- server log ---\n{}", server.log());
    assert_eq!(report["failures"], json!([]), "{}", context());
    check_answers(report, "2026-07-28", server, &context);

    // By hand: the LLM's turn, then the approval alone in its own round, then the LLM's next
    // turn (the approval replayed from the journal, not asked again), then the result.
    let manual = &report["scenarios"]["manual"];
    let rounds = check_rounds(manual, 1, &context);
    assert_eq!(
        manual["elicitations"][0]["key"],
        rounds[1]["keys"][0],
        "the form was answered under the key of its round: {}",
        context()
    );
    check_loop(manual, "M-4", &[("refunded M-4", false)], 1, &context);
    assert_eq!(server.refund_runs("M-4"), 1, "{}", context());

    // Two refunds in one LLM reply: both forms in one round, one approved, one declined.
    let two = &report["scenarios"]["two"];
    let rounds = check_rounds(two, 2, &context);
    let mut answered: Vec<String> = two["elicitations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|form| form["key"].to_string())
        .collect();
    answered.sort();
    let asked: Vec<String> = rounds[1]["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect();
    assert_eq!(
        answered,
        asked,
        "each form answered under its key: {}",
        context()
    );
    check_two(two, "T-6", server, &context);

    // The same through the SDK's own driver, which answers both forms of the round.
    let two = &report["scenarios"]["two_automatic"];
    assert_eq!(two["protocol_version"], "2026-07-28", "{}", context());
    check_two(two, "W-7", server, &context);

    assert_eq!(
        server.all_refund_runs(),
        4,
        "only the four approved refunds ran: {}",
        context()
    );
}

/// The rounds of a loop driven by hand: the LLM's turn, then `forms` approvals together in
/// one round, then the LLM's next turn (the approvals replayed from the journal, not asked
/// again), then the result.
fn check_rounds<'a>(
    scenario: &'a Value,
    forms: usize,
    context: &dyn Fn() -> String,
) -> &'a Vec<Value> {
    let rounds = scenario["rounds"].as_array().expect("rounds is an array");
    let methods: Vec<&Value> = rounds.iter().map(|round| &round["methods"]).collect();
    assert_eq!(
        methods,
        [
            &json!(["sampling/createMessage"]),
            &json!(["elicitation/create"]),
            &json!(["sampling/createMessage"]),
            &Value::Null,
        ],
        "{}",
        context()
    );
    assert_eq!(rounds[3]["result_type"], "complete", "{}", context());
    let sizes: Vec<Option<usize>> = rounds[..3]
        .iter()
        .map(|round| round["keys"].as_array().map(Vec::len))
        .collect();
    assert_eq!(sizes, [Some(1), Some(forms), Some(1)], "{}", context());
    rounds
}

/// Two refunds asked at once (`order` and `<order>-bis`): the user approved the first and
/// declined the second; only the first ran, and the LLM read both outcomes in the order of its
/// calls.
fn check_two(two: &Value, order: &str, server: &ConformanceServer, context: &dyn Fn() -> String) {
    let refunded = format!("refunded {order}");
    let bis = format!("{order}-bis");
    check_loop(
        two,
        order,
        &[(refunded.as_str(), false), (DECLINED, true)],
        2,
        context,
    );
    let asked_about_bis = two["elicitations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|form| {
            form["message"]
                .as_str()
                .is_some_and(|message| message.contains(&bis))
        })
        .count();
    assert_eq!(asked_about_bis, 1, "one form per call: {}", context());
    assert_eq!(
        (server.refund_runs(order), server.refund_runs(&bis)),
        (1, 0),
        "{}",
        context()
    );
}

/// The `accept`, `decline`, `cancel` and `no_elicitation` scenarios, on the era `version`: the
/// user is asked once about the refund of the scenario's order (never without the capability),
/// and the refund runs only when accepted.
fn check_answers(
    report: &Value,
    version: &str,
    server: &ConformanceServer,
    context: &dyn Fn() -> String,
) {
    for (name, order, read, is_error, asked, runs) in [
        ("accept", "A-1", "refunded A-1", false, 1, 1),
        ("decline", "D-2", DECLINED, true, 1, 0),
        ("cancel", "C-3", DISMISSED, true, 1, 0),
        // Nobody can be asked, and by default (`NoElicitation::Deny`) the refund does not run.
        ("no_elicitation", "N-5", CANNOT_ASK, true, 0, 0),
    ] {
        let scenario = &report["scenarios"][name];
        assert_eq!(
            scenario["protocol_version"],
            version,
            "{name}: {}",
            context()
        );
        check_loop(scenario, order, &[(read, is_error)], asked, context);
        assert_eq!(
            server.refund_runs(order),
            runs,
            "{name}: the refund of {order} ran {runs} time(s): {}",
            context()
        );
    }
}

/// One loop on `order`: the user was asked `asked` times, each with a form naming the tool
/// and its arguments; the LLM made two calls, the second reading `reads` (text, and whether an
/// error result) as the results of its `refund` calls; the tool returned the LLM's text about
/// them.
fn check_loop(
    scenario: &Value,
    order: &str,
    reads: &[(&str, bool)],
    asked: usize,
    context: &dyn Fn() -> String,
) {
    let forms = scenario["elicitations"]
        .as_array()
        .expect("elicitations is an array");
    assert_eq!(forms.len(), asked, "{order}: forms: {}", context());
    for form in forms {
        assert_eq!(form["mode"], "form", "{order}: {}", context());
        assert_eq!(form["fields"], json!(["approve"]), "{order}: {}", context());
        let message = form["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("'refund'") && message.contains(order),
            "{order}: the form names the tool and its arguments: {message}"
        );
    }

    let requests = scenario["requests"]
        .as_array()
        .expect("requests is an array");
    assert_eq!(requests.len(), 2, "{order}: two LLM turns: {}", context());
    for request in requests {
        assert_eq!(
            request["tools"],
            json!(["refund"]),
            "{order}: {}",
            context()
        );
        assert_eq!(
            request["first_text"],
            format!("Order {order} arrived broken."),
            "{order}: {}",
            context()
        );
    }
    assert_eq!(requests[0]["tool_results"], json!([]), "{}", context());
    let results: Vec<Value> = reads
        .iter()
        .map(|(text, is_error)| json!({"text": text, "is_error": is_error}))
        .collect();
    assert_eq!(
        requests[1]["tool_results"],
        json!(results),
        "{order}: {}",
        context()
    );
    let read: Vec<String> = reads
        .iter()
        .map(|(text, is_error)| format!("{text} (error: {is_error})"))
        .collect();
    assert_eq!(
        scenario["result"],
        json!({"is_error": false, "texts": [format!("LLM read: {}", read.join(" | "))]}),
        "{order}: {}",
        context()
    );
}
