//! The loop on protocol 2026-07-28, over multi round-trip `InputRequiredResult`s: rmcp's own
//! client negotiates 2026-07-28 (`Discover`) and answers the input requests through a scripted
//! LLM, automatically (`call_tool`) and by hand (`call_tool_once`), with bad inputs.

// rmcp marks its sampling types deprecated (SEP-2577); these tests speak them on the wire.
#![allow(deprecated)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, InputRequest, InputRequiredResult, InputResponses,
    ProtocolVersion, RequestStateCodec, ServerCapabilities, ServerConfig,
};
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient, ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process_modern, reply};
use rmcp_sampling::{
    ReplyError, Sampler, SamplingContext, ToolReply, ToolResult, sampling_tool, structured_result,
};
use serde_json::{Value, json};

mod support;

use support::mcp::{add_tool, call, input_required, retry, text_of, within};

/// A verdict.
#[structured_result]
struct Verdict {
    /// The sum found.
    sum: i64,
    /// Why.
    reason: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Prompt {
    prompt: String,
}

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    /// How many times the counted sampling tool ran.
    runs: Arc<AtomicUsize>,
    /// How many times the body of `count_body` started.
    bodies: Arc<AtomicUsize>,
    tool_router: ToolRouter<Self>,
}

/// An error type of the tool's author.
#[derive(Debug)]
struct Unlucky(std::io::Error);

impl std::fmt::Display for Unlucky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("13 is unlucky")
    }
}

impl std::error::Error for Unlucky {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[tool_router]
impl Server {
    fn new(sampler: Sampler) -> Self {
        Self {
            sampler,
            runs: Arc::default(),
            bodies: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// Counts its runs.
    #[sampling_tool]
    fn counted(&self, n: i64) -> i64 {
        self.runs.fetch_add(1, Ordering::SeqCst);
        n * 10
    }

    /// A typed loop with tools.
    #[tool]
    async fn verdict(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Prompt>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                self.bodies.fetch_add(1, Ordering::SeqCst);
                let verdict = self
                    .sampler
                    .on(&ctx)
                    .system_prompt("You add numbers.")
                    .tools([add_tool(), self.counted_tool()])
                    .sample::<Verdict>(p.prompt.as_str())
                    .await?
                    .result;
                Ok(format!("{} ({})", verdict.sum, verdict.reason))
            })
            .await
    }

    /// A text loop with tools.
    #[tool]
    async fn text(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Prompt>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .tools([add_tool(), self.counted_tool()])
                    .sample_text(p.prompt.as_str())
                    .await?
                    .text)
            })
            .await
    }

    /// Two samplings awaited together, then one more.
    #[tool]
    async fn fan_out(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                let sampler = &self.sampler;
                // The obvious form: each future owns its request (E0716 when they borrowed it).
                let (a, b) = tokio::join!(
                    sampler.on(&ctx).sample_text("first"),
                    sampler.on(&ctx).sample_text("second"),
                );
                let (a, b) = (a?.text, b?.text);
                let c = sampler
                    .on(&ctx)
                    .sample_text(format!("combine {a} and {b}"))
                    .await?
                    .text;
                Ok(format!("{a}+{b}={c}"))
            })
            .await
    }

    /// Asks the LLM for a count: the author's own errors go through `?`.
    #[tool]
    async fn count(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Prompt>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                let text = self
                    .sampler
                    .on(&ctx)
                    .sample_text(p.prompt.as_str())
                    .await?
                    .text;
                let n: u8 = text.trim().parse()?;
                if n == 0 {
                    Err(rmcp::ErrorData::invalid_params("zero is not a count", None))?;
                }
                if n > 100 {
                    return Err(ReplyError::msg(format_args!("{n} is too many")));
                }
                if n == 13 {
                    // The author's own error type, with a source.
                    Err(Unlucky(std::io::Error::other("the 13th floor is missing")))?;
                }
                Ok(format!("{n} items"))
            })
            .await
    }

    /// `SamplingContext` after `Parameters`, which took the arguments it is bound to.
    #[tool]
    async fn wrong_order(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: SamplingContext,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self.sampler.on(&ctx).sample_text(p.prompt).await?.text)
            })
            .await
    }

    /// The author's own loop of `sample_step`s.
    #[tool]
    async fn steps(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                let mut history = rmcp_sampling::Conversation::from("go");
                for _ in 0..5 {
                    let step = self
                        .sampler
                        .on(&ctx)
                        .tools([self.counted_tool()])
                        .sample_step(history)
                        .await?;
                    if !step.is_tool_use() {
                        return Ok(step.text().unwrap_or_default());
                    }
                    history = step.history;
                }
                Ok("no answer".to_owned())
            })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// A modern (2026-07-28) client connected in process to `server`.
async fn modern<C: ClientHandler>(server: Server, client: C) -> RunningService<RoleClient, C> {
    let client = connect_in_process_modern(server, client)
        .await
        .expect("the client connects");
    assert_eq!(
        client.peer_info().map(|i| i.protocol_version.clone()),
        Some(ProtocolVersion::V_2026_07_28),
        "the connection must speak 2026-07-28"
    );
    client
}

#[tokio::test]
async fn a_typed_loop_with_tools_runs_over_automatic_rounds() {
    let server = Server::new(Sampler::new());
    let runs = server.runs.clone();
    let bodies = server.bodies.clone();
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 2, "b": 3}))
        .then_tool_uses([
            ("counted", json!({"n": 1})),
            ("add", json!({"a": 1, "b": 1})),
        ])
        .then_tool_use("final_response", json!({"sum": 5, "reason": "2 + 3"}));
    let client = modern(server, SamplingClient::new(llm.clone())).await;

    let result = within(client.call_tool(call("verdict", json!({"prompt": "2 + 3?"}))))
        .await
        .expect("the loop completes");
    assert_eq!(text_of(&result), "5 (2 + 3)");
    assert_ne!(result.is_error, Some(true));

    let sent = llm.requests();
    assert_eq!(sent.len(), 3, "one LLM turn per round");
    assert_eq!(sent[0].system_prompt.as_deref(), Some("You add numbers."));
    assert_eq!(sent[0].tool_names(), ["add", "counted", "final_response"]);
    assert_eq!(sent[0].tool_choice, Some(ToolChoice::Required));
    assert_eq!(sent[1].tool_results(), [ToolResult::text("call_1", "5")]);
    assert_eq!(
        sent[2].tool_results(),
        [
            ToolResult::text("call_2", "10"),
            ToolResult::text("call_3", "2"),
        ]
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "a tool never runs twice");
    assert_eq!(
        bodies.load(Ordering::SeqCst),
        4,
        "the body runs once per round"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn samplings_awaited_together_ask_in_one_round() {
    let llm = ScriptedLlm::from_fn(|request| Ok(format!("<{}>", request.last_text()).into()));
    let client = modern(
        Server::new(Sampler::new()),
        SamplingClient::new(llm.clone()),
    )
    .await;

    let first = within(client.call_tool_once(call("fan_out", json!({}))))
        .await
        .unwrap();
    let CallToolResponse::InputRequired(round) = first else {
        panic!("expected an input-required result, got {first:?}");
    };
    assert_eq!(
        round.input_requests.as_ref().map(|r| r.len()),
        Some(2),
        "both joined samplings ask in the first round"
    );
    let result = within(client.call_tool(call("fan_out", json!({}))))
        .await
        .unwrap();
    assert_eq!(
        text_of(&result),
        "<first>+<second>=<combine <first> and <second>>"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_authors_own_step_loop_resumes_step_by_step() {
    let server = Server::new(Sampler::new());
    let runs = server.runs.clone();
    let llm = ScriptedLlm::new()
        .then_tool_use("counted", json!({"n": 1}))
        .then_tool_use("counted", json!({"n": 2}))
        .then_text("done");
    let client = modern(server, SamplingClient::new(llm.clone())).await;
    let result = within(client.call_tool(call("steps", json!({}))))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "done");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(llm.requests()[2].messages.len(), 5);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_last_affordable_round_forces_the_answer() {
    // An LLM that would call tools for ever: the request asked in round 9 (the client drives
    // 10) forces a text answer.
    let llm = ScriptedLlm::from_fn(|request| {
        Ok(if request.tool_choice == Some(ToolChoice::None) {
            reply::text("forced answer")
        } else {
            reply::tool_use("again", "add", json!({"a": 1, "b": 1}))
        })
    });
    let client = modern(
        Server::new(Sampler::new()),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let result = within(client.call_tool(call("text", json!({"prompt": "loop"}))))
        .await
        .expect("the answer comes within the client's rounds");
    assert_eq!(text_of(&result), "forced answer");
    let sent = llm.requests();
    assert_eq!(sent.len(), 9);
    assert!(
        sent[..8]
            .iter()
            .all(|r| r.tool_choice != Some(ToolChoice::None))
    );
    assert_eq!(sent[8].tool_choice, Some(ToolChoice::None));

    // A typed loop: only final_response on the last affordable round.
    let llm = ScriptedLlm::from_fn(|request| {
        Ok(if request.tool_names() == ["final_response"] {
            reply::tool_use("f", "final_response", json!({"sum": 1, "reason": "forced"}))
        } else {
            reply::tool_use("again", "add", json!({"a": 1, "b": 1}))
        })
    });
    let server = Server::new(Sampler::new().round_budget(4));
    let client2 = modern(server, SamplingClient::new(llm.clone())).await;
    let result = within(client2.call_tool(call("verdict", json!({"prompt": "x"}))))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "1 (forced)");
    assert_eq!(llm.requests().len(), 3);
    client.cancel().await.unwrap();
    client2.cancel().await.unwrap();
}

#[tokio::test]
async fn a_final_response_set_aside_still_ends_within_the_rounds() {
    // An LLM that always answers beside another call: each answer is set aside while a round
    // is left to answer again, and the last affordable round (only final_response offered)
    // takes it, so setting aside never runs the client out of rounds.
    let llm = ScriptedLlm::from_fn(|request| {
        let turn = request.messages.len();
        Ok(reply::tool_uses([
            (format!("add_{turn}"), "add", json!({"a": 1, "b": 1})),
            (
                format!("final_{turn}"),
                "final_response",
                json!({"sum": 2, "reason": format!("turn {turn}")}),
            ),
        ]))
    });
    let server = Server::new(Sampler::new().round_budget(4));
    let client = modern(server, SamplingClient::new(llm.clone())).await;
    let result = within(client.call_tool(call("verdict", json!({"prompt": "1 + 1?"}))))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    assert_eq!(text_of(&result), "2 (turn 5)");
    let offered: Vec<_> = llm.requests().iter().map(|r| r.tool_names()).collect();
    assert_eq!(
        offered,
        [
            vec!["add", "counted", "final_response"],
            vec!["add", "counted", "final_response"],
            vec!["final_response"],
        ]
    );
    client.cancel().await.unwrap();
}

/// Drives one round by hand: the input-required result of `params`.
async fn once(
    client: &RunningService<RoleClient, SamplingClient<ScriptedLlm>>,
    params: CallToolRequestParams,
) -> Result<CallToolResponse, rmcp::ServiceError> {
    within(client.call_tool_once(params)).await
}

fn answer(text: &str) -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": text}, "model": "m", "stopReason": "endTurn"})
}

fn single_key(round: &InputRequiredResult) -> String {
    let requests = round.input_requests.as_ref().expect("input requests");
    assert_eq!(requests.len(), 1);
    let (key, request) = requests.iter().next().unwrap();
    assert!(matches!(request, InputRequest::CreateMessage(_)));
    key.clone()
}

#[tokio::test]
async fn the_authors_own_errors_become_tool_errors_or_json_rpc_errors() {
    // The LLM answers with the prompt, which the body then parses as a count.
    let llm = ScriptedLlm::from_fn(|request| Ok(request.last_text().into()));
    let client = modern(Server::new(Sampler::new()), SamplingClient::new(llm)).await;
    let count = |prompt: &str| client.call_tool(call("count", json!({"prompt": prompt})));

    let ok = within(count("7")).await.unwrap();
    assert_eq!(
        (text_of(&ok), ok.is_error),
        ("7 items".to_owned(), Some(false))
    );
    // A `std::error::Error` through `?`: an `isError` result with its message.
    let parse = within(count("many")).await.unwrap();
    assert_eq!(parse.is_error, Some(true), "{parse:?}");
    assert_eq!(text_of(&parse), "invalid digit found in string");
    // The author's own error type through `?`: its message and its source's.
    let own = within(count("13")).await.unwrap();
    assert_eq!(
        (text_of(&own), own.is_error),
        (
            "13 is unlucky: the 13th floor is missing".to_owned(),
            Some(true)
        )
    );
    // Any `Display` through `ReplyError::msg`.
    let display = within(count("200")).await.unwrap();
    assert_eq!(
        (text_of(&display), display.is_error),
        ("200 is too many".to_owned(), Some(true))
    );
    // rmcp's `ErrorData` through `?`: that JSON-RPC error.
    match within(count("0")).await {
        Err(rmcp::ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602, "{error:?}");
            assert_eq!(error.message, "zero is not a count");
        }
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn sampling_context_after_parameters_is_refused_with_the_fix() {
    let llm = ScriptedLlm::from_fn(|request| Ok(request.last_text().into()));
    let client = modern(Server::new(Sampler::new()), SamplingClient::new(llm)).await;
    let params = call("wrong_order", json!({"prompt": "hi"}));
    let message = invalid_params(within(client.call_tool_once(params)).await);
    assert!(message.contains("put `SamplingContext` first"), "{message}");
    client.cancel().await.unwrap();
}

fn invalid_params(response: Result<CallToolResponse, rmcp::ServiceError>) -> String {
    match response {
        Err(rmcp::ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602, "{error:?}");
            error.message.to_string()
        }
        other => panic!("expected a -32602 error, got {other:?}"),
    }
}

#[tokio::test]
async fn manual_rounds_and_bad_inputs() {
    let server = Server::new(Sampler::new());
    let runs = server.runs.clone();
    let client = modern(server, SamplingClient::new(ScriptedLlm::new())).await;
    let params = call("text", json!({"prompt": "hello"}));
    let round1 = input_required(once(&client, params.clone()).await);
    let key = single_key(&round1);

    // A response that is missing, malformed or keyed wrong is asked for again, unchanged.
    for responses in [
        InputResponses::new(),
        InputResponses::from([(key.clone(), json!({"role": "assistant"}))]),
        InputResponses::from([(key.clone(), json!("just a string"))]),
        InputResponses::from([(
            key.clone(),
            json!({"role": "user", "content": {"type": "text", "text": "x"}, "model": "m"}),
        )]),
        InputResponses::from([("never-asked".to_owned(), answer("hi"))]),
    ] {
        let again =
            input_required(once(&client, retry(params.clone(), &round1, responses.clone())).await);
        assert_eq!(single_key(&again), key, "{responses:?}");
        assert_eq!(
            again.input_requests, round1.input_requests,
            "the same request is asked again for {responses:?}"
        );
    }

    // A tool call answered by the LLM runs once, then the next round asks again.
    let tool_call = json!({"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "counted", "input": {"n": 4}}], "model": "m", "stopReason": "toolUse"});
    let round2 = input_required(
        once(
            &client,
            retry(
                params.clone(),
                &round1,
                InputResponses::from([(key.clone(), tool_call)]),
            ),
        )
        .await,
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let key2 = single_key(&round2);
    assert_ne!(key2, key);

    // Replaying round 2's state with a missing answer re-asks without running the tool again.
    let again = input_required(
        once(
            &client,
            retry(params.clone(), &round2, InputResponses::new()),
        )
        .await,
    );
    assert_eq!(single_key(&again), key2);
    assert_eq!(runs.load(Ordering::SeqCst), 1, "no tool runs twice");

    // Bad states: -32602, and nothing runs.
    let mut tampered = retry(params.clone(), &round2, InputResponses::new());
    tampered.request_state = tampered.request_state.map(|s| format!("{s}-TAMPERED"));
    let message = invalid_params(once(&client, tampered).await);
    assert!(message.contains("requestState"), "{message}");
    let mut truncated = retry(params.clone(), &round2, InputResponses::new());
    truncated.request_state = truncated.request_state.map(|s| s[..s.len() / 2].to_owned());
    invalid_params(once(&client, truncated).await);
    let mut garbage = retry(params.clone(), &round2, InputResponses::new());
    garbage.request_state = Some("%%% not base64 %%%".into());
    invalid_params(once(&client, garbage).await);
    let other_args = retry(
        call("text", json!({"prompt": "other"})),
        &round2,
        InputResponses::new(),
    );
    invalid_params(once(&client, other_args).await);
    let other_tool = retry(
        call("verdict", json!({"prompt": "hello"})),
        &round2,
        InputResponses::new(),
    );
    invalid_params(once(&client, other_tool).await);
    let mut oversized = retry(params.clone(), &round2, InputResponses::new());
    oversized.request_state = Some("A".repeat(2 * 1024 * 1024));
    invalid_params(once(&client, oversized).await);
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // The right answer finishes the loop.
    let done = once(
        &client,
        retry(
            params.clone(),
            &round2,
            InputResponses::from([(key2, answer("forty"))]),
        ),
    )
    .await;
    match done {
        Ok(CallToolResponse::Complete(result)) => assert_eq!(text_of(&result), "forty"),
        other => panic!("expected the final result, got {other:?}"),
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_state_from_another_key_or_an_expired_one_is_refused() {
    let key = |k: u8| RequestStateCodec::new(vec![k; 32]);
    let first = Server::new(Sampler::new().state_codec(key(1)));
    let client = modern(first, SamplingClient::new(ScriptedLlm::new())).await;
    let params = call("text", json!({"prompt": "hello"}));
    let round1 = input_required(once(&client, params.clone()).await);

    // Another server with another key refuses it; one with the same key resumes it.
    let other = modern(
        Server::new(Sampler::new().state_codec(key(2))),
        SamplingClient::new(ScriptedLlm::new()),
    )
    .await;
    let k = single_key(&round1);
    invalid_params(
        once(
            &other,
            retry(params.clone(), &round1, InputResponses::new()),
        )
        .await,
    );
    let same = modern(
        Server::new(Sampler::new().state_codec(key(1))),
        SamplingClient::new(ScriptedLlm::new()),
    )
    .await;
    match once(
        &same,
        retry(
            params.clone(),
            &round1,
            InputResponses::from([(k, answer("ok"))]),
        ),
    )
    .await
    {
        Ok(CallToolResponse::Complete(result)) => assert_eq!(text_of(&result), "ok"),
        other => panic!("expected the final result, got {other:?}"),
    }

    let short = modern(
        Server::new(
            Sampler::new()
                .state_codec(key(3))
                .state_ttl(Duration::from_secs(1)),
        ),
        SamplingClient::new(ScriptedLlm::new()),
    )
    .await;
    let round1 = input_required(once(&short, params.clone()).await);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    invalid_params(
        once(
            &short,
            retry(params.clone(), &round1, InputResponses::new()),
        )
        .await,
    );
    for c in [client, other, same, short] {
        c.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_client_without_sampling_gets_a_clear_error_and_a_handler_answers_instead() {
    use rmcp::model::{ClientCapabilities, ClientInfo, Implementation};

    #[derive(Clone)]
    struct NoSampling;
    impl ClientHandler for NoSampling {
        fn get_info(&self) -> ClientInfo {
            ClientInfo::new(
                ClientCapabilities::default(),
                Implementation::new("bare", "0"),
            )
        }
    }
    let client = modern(Server::new(Sampler::new()), NoSampling).await;
    let result = within(client.call_tool(call("text", json!({"prompt": "x"}))))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("does not support sampling"),
        "{}",
        text_of(&result)
    );

    let handler = ScriptedLlm::new().then_text("from the server's model");
    let client2 = modern(Server::new(Sampler::with_handler(handler)), NoSampling).await;
    let result = within(client2.call_tool(call("text", json!({"prompt": "x"}))))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "from the server's model");
    client.cancel().await.unwrap();
    client2.cancel().await.unwrap();
}

/// A 10-step loop with tools driven round by hand: every round asks one request, the state
/// grows with the journal and stays far under the cap, and the loop ends in the 11th round.
#[tokio::test]
async fn a_ten_step_loop_uses_eleven_rounds_and_a_state_that_grows_linearly() {
    let llm = ScriptedLlm::from_fn(|request| {
        Ok(if request.messages.len() >= 19 {
            reply::text("the end")
        } else {
            reply::tool_use("step", "add", json!({"a": request.messages.len(), "b": 1}))
        })
    });
    let server = Server::new(Sampler::new().round_budget(12));
    let client = modern(server, SamplingClient::new(llm.clone())).await;
    let mut params = call("text", json!({"prompt": "count"}));
    let mut sizes = Vec::new();
    let result = loop {
        match once(&client, params.clone()).await.expect("a round") {
            CallToolResponse::InputRequired(round) => {
                let state = round.request_state.clone().expect("a sealed state");
                sizes.push(state.len());
                let requests = round.input_requests.clone().unwrap_or_default();
                assert_eq!(requests.len(), 1);
                let mut responses = InputResponses::new();
                for (key, request) in requests {
                    let InputRequest::CreateMessage(request) = request else {
                        panic!("not a sampling request");
                    };
                    // Our request type reads the MCP JSON as it is.
                    let params = serde_json::to_value(&request.params).unwrap();
                    let answer = rmcp_sampling::SamplingHandler::create_message(
                        &llm,
                        serde_json::from_value(params).expect("an LlmRequest"),
                        rmcp_sampling::HandlerContext::new(
                            rmcp_sampling::handler::Side::Client,
                            Default::default(),
                        ),
                    )
                    .await
                    .expect("the scripted LLM answers");
                    responses.insert(key, serde_json::to_value(answer).unwrap());
                }
                params = retry(params, &round, responses);
            }
            CallToolResponse::Complete(result) => break result,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(text_of(&result), "the end");
    assert_eq!(sizes.len(), 10, "ten LLM turns, one round each: {sizes:?}");
    let growth: Vec<usize> = sizes.windows(2).map(|w| w[1] - w[0]).collect();
    let (min, max) = (
        growth.iter().min().copied().unwrap_or_default(),
        growth.iter().max().copied().unwrap_or_default(),
    );
    assert!(
        max <= 2 * min.max(1),
        "each round adds about the same: {growth:?}"
    );
    eprintln!("state bytes per round: {sizes:?}");
    client.cancel().await.unwrap();
}
