//! Typed results through the loop: `final_response`, validation retries and their counter,
//! text nudges, and `final_response` beside other tools.

use rmcp_sampling::control::FinalResponseWithTools;
use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::testing::ScriptedLlm;
use rmcp_sampling::{Role, SampleErrorKind, Sampler, structured_result};
use serde_json::json;

mod support;

use support::mcp::add_tool;

/// A verdict on a claim.
#[structured_result]
#[derive(Debug, PartialEq)]
struct Verdict {
    /// One word.
    label: String,
    /// Confidence from 0 to 1.
    #[schemars(range(min = 0.0, max = 1.0))]
    score: f64,
}

#[tokio::test]
async fn a_valid_final_response_ends_the_loop_with_a_typed_value() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_tool_use("final_response", json!({"label": "ok", "score": 0.5}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add_tool()])
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(
        out.result,
        Verdict {
            label: "ok".into(),
            score: 0.5
        }
    );
    assert_eq!(out.text, r#"{"label":"ok","score":0.5}"#);
    for request in llm.requests() {
        assert_eq!(request.tool_names(), ["add", "final_response"]);
        assert_eq!(request.tool_choice, Some(ToolChoice::Required));
    }
    // The accepted call is answered too, so the history is a well-formed conversation.
    let last = out.history.last().unwrap();
    assert_eq!(last.role, Role::User);
    assert_eq!(out.history.len(), 5);
}

/// A plan offered to a customer.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Plan {
    /// The plan's name.
    name: String,
    seats: u32,
}

#[tokio::test]
async fn a_plain_derive_type_is_a_result_without_the_macro() {
    let llm = ScriptedLlm::new()
        .then_tool_use(
            "final_response",
            json!({"name": "pro", "seats": 3, "discount": 10}),
        )
        .then_tool_use("final_response", json!({"name": "pro", "seats": 3}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .sample::<Plan>("pick a plan")
        .await
        .unwrap();
    assert_eq!(
        out.result,
        Plan {
            name: "pro".into(),
            seats: 3
        }
    );
    // The LLM sees the type's name and doc comment, and a schema that refuses extra fields.
    let request = &llm.requests()[0];
    let tool = &request.tools[0];
    assert_eq!(
        tool.description.as_deref(),
        Some(
            "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `Plan`.\n\n`Plan`: A plan offered to a customer."
        )
    );
    assert_eq!(
        serde_json::Value::Object((*tool.input_schema).clone()),
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The plan's name."},
                "seats": {"type": "integer", "format": "uint32", "minimum": 0}
            },
            "required": ["name", "seats"],
            "additionalProperties": false
        })
    );
    // The extra field was a violation the LLM heard about, naming what is allowed.
    let result = llm.requests()[1].tool_results().remove(0);
    assert!(result.is_error);
    assert_eq!(
        result.text_content(),
        "The final_response arguments do not match the `Plan` schema:\n\
         - /discount: unknown property; the allowed properties are \"name\", \"seats\"\n\
         Call final_response again with corrected arguments."
    );
}

#[tokio::test]
async fn primitive_results_are_wrapped_and_unwrapped() {
    let llm = ScriptedLlm::new().then_tool_use("final_response", json!({"value": 42}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler.standalone().sample::<i64>("answer").await.unwrap();
    assert_eq!(out.result, 42);
    assert_eq!(out.text, "42");
    let request = &llm.requests()[0];
    let tool = &request.tools[0];
    assert_eq!(
        serde_json::Value::Object((*tool.input_schema).clone())["required"],
        json!(["value"])
    );
}

#[tokio::test]
async fn invalid_payloads_are_sent_back_with_every_violation() {
    let llm = ScriptedLlm::new()
        .then_tool_use("final_response", json!({"label": 3, "score": 1.5}))
        .then_tool_use("final_response", json!({"label": "ok", "score": 0.9}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.score, 0.9);
    let result = llm.requests()[1].tool_results().remove(0);
    let text = result.text_content();
    assert_eq!(result.call_id, "call_1");
    assert!(result.is_error);
    assert!(
        text.starts_with("The final_response arguments do not match the `Verdict` schema:\n"),
        "{text}"
    );
    assert!(text.contains("/label"), "{text}");
    assert!(text.contains("/score"), "{text}");
    assert!(
        text.ends_with("Call final_response again with corrected arguments."),
        "{text}"
    );
    // The rejected exchange stays in the history.
    assert_eq!(out.history.len(), 5);
}

#[tokio::test]
async fn the_fourth_consecutive_invalid_payload_ends_the_loop() {
    let bad = json!({"label": "ok", "score": 7});
    let llm = ScriptedLlm::new()
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", json!({"label": "never", "score": 0}));
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .sample::<Verdict>("judge")
        .await
        .unwrap_err();
    match err.kind() {
        SampleErrorKind::InvalidResult {
            type_name,
            violations,
        } => {
            assert_eq!(*type_name, "Verdict");
            assert_eq!(violations.len(), 1, "{violations:?}");
            assert!(violations[0].starts_with("/score"), "{violations:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("the LLM did not produce a valid `Verdict`: /score"),
        "{err}"
    );
    assert_eq!(llm.request_count(), 4);
    assert_eq!(err.history().len(), 9, "every rejected attempt is kept");
}

#[tokio::test]
async fn calling_other_tools_resets_the_invalid_counter() {
    let bad = json!({"label": "ok", "score": 7});
    let llm = ScriptedLlm::new()
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", bad.clone())
        .then_tool_use("final_response", json!({"label": "fine", "score": 1}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add_tool()])
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "fine");
    assert_eq!(llm.request_count(), 8);
}

#[tokio::test]
async fn text_answers_are_nudged_three_times_then_fail() {
    let llm = ScriptedLlm::new()
        .then_text("it is fine")
        .then_tool_use("final_response", json!({"label": "fine", "score": 1}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "fine");
    let nudge = llm.requests()[1].last_text();
    assert_eq!(
        nudge,
        "You answered in text, but this task needs a structured `Verdict`: call the `final_response` tool with your final answer as its arguments."
    );

    let llm = ScriptedLlm::new()
        .then_text("one")
        .then_text("two")
        .then_text("three")
        .then_text("four");
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .sample::<Verdict>("judge")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::TextInsteadOfResult { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the LLM answered in text instead of calling final_response with a `Verdict`: \"four\""
    );
    assert_eq!(llm.request_count(), 4);
}

/// The texts and error flags of the tool results in `message`.
fn result_texts(message: &rmcp_sampling::Message) -> Vec<(String, bool)> {
    message
        .results()
        .into_iter()
        .map(|r| (r.text_content(), r.is_error))
        .collect()
}

#[tokio::test]
async fn a_final_response_beside_other_tools_is_set_aside_until_their_results_are_seen() {
    // Its payload is invalid, and no retry is allowed: being set aside is not a failed try.
    let llm = ScriptedLlm::new()
        .then_tool_uses([
            ("add", json!({"a": 2, "b": 3})),
            ("final_response", json!({"label": "blind", "score": 7})),
        ])
        .then_tool_use("final_response", json!({"label": "five", "score": 1}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add_tool()])
        .result_retries(0)
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "five");
    assert_eq!(out.steps, 2);
    assert_eq!(out.usage.tool_calls, 1);
    let second = &llm.requests()[1];
    assert_eq!(second.tool_names(), ["add", "final_response"]);
    let texts = result_texts(second.messages.last().unwrap());
    assert_eq!(texts[0], ("5".to_owned(), false));
    assert!(texts[1].1, "{texts:?}");
    assert_eq!(
        texts[1].0,
        "Not accepted: this reply also called other tools, and you had not seen their results \
         yet. Read their results in this message, then call final_response again with your \
         final answer."
    );
}

#[tokio::test]
async fn on_the_last_step_a_final_response_beside_other_tools_is_judged() {
    // Only final_response is offered there and no request follows: nothing to wait for.
    let beside = || {
        ScriptedLlm::new().then_tool_uses([
            ("add", json!({"a": 2, "b": 3})),
            ("final_response", json!({"label": "late", "score": 0.4})),
        ])
    };
    let llm = beside();
    let out = Sampler::with_handler(llm.clone())
        .standalone()
        .tools([add_tool()])
        .max_iterations(1)
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "late");
    assert_eq!(llm.requests()[0].tool_names(), ["final_response"]);
    // `add` was not offered there: it does not run, and its call is answered as refused.
    assert_eq!(out.usage.tool_calls, 0);
    let results = result_texts(out.history.last().unwrap());
    assert_eq!(
        results[0],
        (
            "`add` was not offered on the last request (only final_response was), so it did \
             not run."
                .to_owned(),
            true
        )
    );

    // The server-wide default takes the old behaviour on every step.
    let llm = beside();
    let out = Sampler::with_handler(llm.clone())
        .on_final_response_with_tools(FinalResponseWithTools::Accept)
        .standalone()
        .tools([add_tool()])
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "late");
    assert_eq!(llm.request_count(), 1);
}

#[tokio::test]
async fn accepted_beside_other_tools_they_run_before_the_answer_is_taken() {
    let llm = ScriptedLlm::new().then_tool_uses([
        ("add", json!({"a": 2, "b": 3})),
        ("final_response", json!({"label": "ok", "score": 0.1})),
        ("final_response", json!({"label": "second", "score": 0.2})),
    ]);
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add_tool()])
        .on_final_response_with_tools(FinalResponseWithTools::Accept)
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    assert_eq!(out.result.label, "ok", "the first final_response counts");
    let texts = result_texts(out.history.last().unwrap());
    assert_eq!(
        texts,
        [
            ("5".to_owned(), false),
            ("Final response accepted.".to_owned(), false),
            (
                "final_response was already called in this response; only the first call counts"
                    .to_owned(),
                true
            ),
        ]
    );
}

#[tokio::test]
async fn the_last_step_offers_only_final_response() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_tool_use("final_response", json!({"label": "ok", "score": 0.5}));
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools([add_tool()])
        .max_iterations(2)
        .sample::<Verdict>("judge")
        .await
        .unwrap();
    let offered: Vec<_> = llm.requests().iter().map(|r| r.tool_names()).collect();
    assert_eq!(
        offered,
        [vec!["add", "final_response"], vec!["final_response"]]
    );
}
