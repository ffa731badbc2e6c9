//! The limits of a loop agree across protocol eras: a loop that 2025-11-25 (push) allows fits
//! the sealed multi round-trip state of 2026-07-28, and what does not fit fails with an error
//! that names who is at fault, the size and the knob, with the history kept.

// rmcp marks its sampling types deprecated (SEP-2577); these tests speak them on the wire.
#![allow(deprecated)]

use rmcp::model::{CallToolResponse, InputResponses};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process, connect_in_process_modern, reply};
use rmcp_sampling::{Sampler, sampling_tool};
use serde_json::{Value, json};

mod support;

use support::mcp::{OneToolServer, call, text_of, within};

/// `bytes` of text that compresses about as badly as hex does (half its size under deflate),
/// unlike repeated text: so the test measures the state's cap, not the compressor.
fn noise(seed: u64, bytes: usize) -> String {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..bytes)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(b"0123456789abcdef"[(x >> 60) as usize])
        })
        .collect()
}

/// Reads a large document.
#[sampling_tool]
fn read_document(
    /// Which document.
    n: u64,
    /// How many bytes of it.
    bytes: usize,
) -> String {
    noise(n, bytes)
}

#[derive(serde::Deserialize)]
struct Task {
    /// How many documents the LLM reads, one per step.
    documents: u64,
    /// Bytes per document.
    bytes: usize,
    /// The loop's history limit, when not the default.
    history_limit: Option<usize>,
}

/// A server whose tool reads documents in a loop; a failed loop reports its error and the
/// history it kept.
fn reader(sampler: Sampler) -> OneToolServer {
    OneToolServer::new(sampler, |sampler, ctx, args| async move {
        let task: Task =
            serde_json::from_value(Value::Object(args)).expect("the arguments of a task");
        let prompt = format!("read {} documents of {} bytes", task.documents, task.bytes);
        let mut request = sampler.on(&ctx).tools([read_document_tool()]);
        if let Some(limit) = task.history_limit {
            request = request.max_history_bytes(limit);
        }
        match request.sample_text(prompt).await {
            Ok(done) => Ok(done.text),
            Err(error) if error.is_cancelled() => Err(error),
            Err(error) => Ok(format!(
                "FAILED after {} messages: {error}",
                error.history().len()
            )),
        }
    })
}

/// Reads one document per step until it has read the number the prompt asks for.
fn reading_llm() -> ScriptedLlm {
    ScriptedLlm::from_fn(|request| {
        let prompt = request.messages[0].text().unwrap_or_default();
        let words: Vec<&str> = prompt.split_whitespace().collect();
        let documents: usize = words[1].parse().unwrap_or(0);
        let bytes: usize = words[4].parse().unwrap_or(0);
        let read = (request.messages.len() - 1) / 2;
        let may_call = !request.tools.is_empty() && request.tool_choice != Some(ToolChoice::None);
        Ok(if read < documents && may_call {
            reply::tool_use(
                format!("c{read}"),
                "read_document",
                json!({"n": read, "bytes": bytes}),
            )
        } else {
            reply::text(format!("read {read} documents"))
        })
    })
}

/// Runs the reader on both eras with the same sampler and LLM; returns the two answers.
async fn on_both_eras(sampler: Sampler, args: Value) -> (String, String) {
    let server = || reader(sampler.clone());
    let push = connect_in_process(server(), SamplingClient::new(reading_llm()))
        .await
        .expect("the 2025-11-25 client connects");
    let pushed = within(push.call_tool(call("run", args.clone())))
        .await
        .expect("the call answers");
    push.cancel().await.unwrap();
    let modern = connect_in_process_modern(server(), SamplingClient::new(reading_llm()))
        .await
        .expect("the 2026-07-28 client connects");
    let round_tripped = within(modern.call_tool(call("run", args)))
        .await
        .expect("the call answers");
    modern.cancel().await.unwrap();
    (text_of(&pushed), text_of(&round_tripped))
}

#[tokio::test]
async fn a_loop_the_push_era_allows_fits_the_round_trip_state() {
    // Six documents of 900 KB each: a 5.4 MB history, within the 8 MiB history limit; before,
    // the state's 1 MiB cap failed the 2026-07-28 loop at its second document.
    let args = json!({"documents": 6, "bytes": 900_000});
    let (pushed, round_tripped) = on_both_eras(Sampler::new(), args).await;
    assert_eq!(pushed, "read 6 documents");
    assert_eq!(round_tripped, pushed, "the same loop on 2026-07-28");
}

#[tokio::test]
async fn a_loop_past_the_history_limit_fails_alike_on_both_eras() {
    // Five documents of 900 KB with a 3 MB history limit: the fourth passes it on both eras,
    // with the same error.
    let args = json!({"documents": 5, "bytes": 900_000, "history_limit": 3_000_000});
    let (pushed, round_tripped) = on_both_eras(Sampler::new(), args).await;
    assert!(
        pushed.starts_with("FAILED") && pushed.contains("`max_history_bytes`"),
        "{pushed}"
    );
    assert_eq!(round_tripped, pushed);
}

#[tokio::test]
async fn a_state_over_its_cap_names_the_size_and_the_knob_and_keeps_the_history() {
    let sampler = Sampler::new().max_state_bytes(300_000);
    let args = json!({"documents": 3, "bytes": 400_000});
    let (pushed, round_tripped) = on_both_eras(sampler, args).await;
    assert_eq!(pushed, "read 3 documents", "the push era has no state");
    assert!(
        round_tripped.starts_with("FAILED after 5 messages")
            && round_tripped.contains("requestState")
            && round_tripped.contains("over the cap of 300000")
            && round_tripped.contains("`Sampler::max_state_bytes`")
            && !round_tripped.contains("misconfigured"),
        "{round_tripped}"
    );
}

#[tokio::test]
async fn a_client_that_never_answers_validly_is_named_as_the_cause() {
    let server = reader(Sampler::new().round_budget(3));
    let client = connect_in_process_modern(server, SamplingClient::new(ScriptedLlm::new()))
        .await
        .expect("the client connects");
    let mut params = call("run", json!({"documents": 1, "bytes": 10}));
    let mut rounds = 0;
    let answer = loop {
        rounds += 1;
        match within(client.call_tool_once(params.clone()))
            .await
            .expect("a round")
        {
            CallToolResponse::InputRequired(round) => {
                // Answers every request with something that is not a sampling result.
                let responses: InputResponses = round
                    .input_requests
                    .unwrap_or_default()
                    .into_keys()
                    .map(|key| (key, json!({"role": "assistant"})))
                    .collect();
                params.request_state = round.request_state;
                params.input_responses = Some(responses);
            }
            CallToolResponse::Complete(result) => break text_of(&result),
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(rounds, 3, "the rounds the budget allows");
    assert!(
        answer
            .contains("the client did not answer the sampling request validly within the 3 rounds")
            && answer.contains("malformed")
            && !answer.contains("misconfigured"),
        "{answer}"
    );
    client.cancel().await.unwrap();
}
