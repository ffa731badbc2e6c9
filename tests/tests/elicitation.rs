//! What a tool body awaits from the user, on both protocol eras: elicitation (form and URL),
//! roots, and the approval of a sampling tool before it runs. Pushed requests on 2025-11-25,
//! input requests of a round on 2026-07-28, replayed from the sealed journal afterwards.

// rmcp marks its sampling and roots types deprecated (SEP-2577); these tests speak them.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};

use rmcp::handler::server::prompt::IntoGetPromptResult;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, ElicitRequestParams, ElicitResult, ElicitationAction, InputRequest,
    InputRequiredResult, InputResponses, Root, ServerCapabilities, ServerConfig,
};
use rmcp::model::{
    GetPromptRequestParams, GetPromptResponse, GetPromptResult, PromptMessage,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    Role as PromptRole,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::{
    ClientHandler, ErrorData, RoleClient, RoleServer, ServerHandler, tool, tool_handler,
    tool_router,
};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::input::NoElicitation;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process, connect_in_process_modern};
use rmcp_sampling::{
    Elicitation, Sampler, SamplingContext, ToolReply, sampling_tool, structured_result,
};
use serde_json::{Value, json};

mod support;

use support::mcp::{call, input_required, retry, text_of, within};

/// A way to reach the user.
#[structured_result]
struct Contact {
    /// Where to write.
    email: String,
    /// How old the user is.
    age: Option<u32>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Policy {
    /// `deny`, `allow` or `fail`: what happens when the user cannot be asked.
    #[serde(default)]
    policy: Option<String>,
}

/// Look up an order.
#[sampling_tool]
fn lookup(order: String) -> String {
    format!("{order}: paid")
}

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    /// The orders refunded, in order.
    refunds: Arc<Mutex<Vec<String>>>,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    fn new(sampler: Sampler) -> Self {
        Self {
            sampler,
            refunds: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    fn refunds(&self) -> Vec<String> {
        self.refunds.lock().unwrap().clone()
    }

    /// Refund an order.
    #[sampling_tool(approval)]
    fn refund(&self, order: String) -> String {
        self.refunds.lock().unwrap().push(order.clone());
        format!("refunded {order}")
    }

    /// A support loop whose refunds need approval.
    #[tool]
    async fn support(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Policy>,
    ) -> ToolReply<String> {
        let policy = match p.policy.as_deref() {
            Some("allow") => NoElicitation::Allow,
            Some("fail") => NoElicitation::Fail,
            _ => NoElicitation::Deny,
        };
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .tools([self.refund_tool(), lookup_tool().shorten()])
                    .without_elicitation(policy)
                    .sample_text("Refund what the customer asks for.")
                    .await?
                    .text)
            })
            .await
    }

    /// A loop where only lookups of order `SECRET` need approval (a predicate).
    #[tool]
    async fn guarded_lookup(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .tools([lookup_tool()])
                    .require_approval(|call| call.arguments.get("order") == Some(&json!("SECRET")))
                    .sample_text("Look orders up.")
                    .await?
                    .text)
            })
            .await
    }

    /// Asks the user for a contact.
    #[tool]
    async fn contact(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(
                    match ctx.elicit::<Contact>("How can we reach you?").await? {
                        Elicitation::Accept(contact) => {
                            format!("accept {} {:?}", contact.email, contact.age)
                        }
                        Elicitation::Decline => "decline".into(),
                        Elicitation::Cancel => "cancel".into(),
                    },
                )
            })
            .await
    }

    /// A form under a key of the author's choosing, or a reserved one.
    #[tool]
    async fn named(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Policy>,
    ) -> ToolReply<String> {
        let key = p.policy.unwrap_or_else(|| "user_name".into());
        self.sampler
            .reply(&ctx, async {
                let contact = ctx
                    .named(key)
                    .elicit::<Contact>("How can we reach you?")
                    .await?;
                Ok(contact.accepted().map(|c| c.email).unwrap_or_default())
            })
            .await
    }

    /// A form, the roots and a URL, awaited together.
    #[tool]
    async fn together(&self, ctx: SamplingContext) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                let (contact, roots, url) = tokio::join!(
                    ctx.elicit::<Contact>("How can we reach you?"),
                    ctx.roots(),
                    ctx.elicit_url("Pay here", "https://pay.example.com/x"),
                );
                let email = contact?.accepted().map(|c| c.email).unwrap_or_default();
                let roots: Vec<String> = roots?.into_iter().map(|r| r.uri).collect();
                Ok(format!("{email} {} {:?}", roots.join(","), url?))
            })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build(),
        )
    }

    /// A prompt that asks the user for a contact first.
    async fn get_prompt(
        &self,
        mut request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let ctx = SamplingContext::for_prompt(ctx, &mut request);
        self.sampler
            .reply(&ctx, async {
                let contact = ctx.elicit::<Contact>("Who is this for?").await?;
                let email = contact.accepted().map(|c| c.email).unwrap_or_default();
                Ok(GetPromptResult::new(vec![PromptMessage::new_text(
                    PromptRole::User,
                    format!("Write to {email}"),
                )]))
            })
            .await
            .into_get_prompt_result()
    }

    /// A resource whose reading asks the user for a contact first.
    async fn read_resource(
        &self,
        mut request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let ctx = SamplingContext::for_resource(ctx, &mut request);
        let uri = request.uri.clone();
        self.sampler
            .reply(&ctx, async {
                let contact = ctx.elicit::<Contact>("Whose card is this?").await?;
                let email = contact.accepted().map(|c| c.email).unwrap_or_default();
                Ok(ReadResourceResult::new(vec![ResourceContents::text(
                    format!("card of {email}"),
                    uri,
                )]))
            })
            .await
            .into_read_resource_response()
    }
}

#[derive(Debug, Clone, Copy)]
enum Era {
    /// 2025-11-25: the server pushes requests.
    Push,
    /// 2026-07-28: input requests of multi round-trip rounds.
    Modern,
}

const ERAS: [Era; 2] = [Era::Push, Era::Modern];

async fn connect<C: ClientHandler>(
    era: Era,
    server: Server,
    client: C,
) -> RunningService<RoleClient, C> {
    match era {
        Era::Push => connect_in_process(server, client).await,
        Era::Modern => connect_in_process_modern(server, client).await,
    }
    .expect("the client connects")
}

/// The user: answers each elicitation with `answer`, counting them and keeping their messages.
#[derive(Clone, Default)]
struct User {
    asked: Arc<Mutex<Vec<String>>>,
}

impl User {
    fn client(
        &self,
        llm: ScriptedLlm,
        answer: fn(&str) -> ElicitResult,
    ) -> SamplingClient<ScriptedLlm> {
        let asked = self.asked.clone();
        SamplingClient::new(llm)
            .with_elicitation(move |request: ElicitRequestParams| {
                let message = match &request {
                    ElicitRequestParams::FormElicitationParams { message, .. }
                    | ElicitRequestParams::UrlElicitationParams { message, .. } => message.clone(),
                    _ => String::new(),
                };
                asked.lock().unwrap().push(message.clone());
                std::future::ready(answer(&message))
            })
            .with_roots([Root::new("file:///work")])
    }

    fn count(&self) -> usize {
        self.asked.lock().unwrap().len()
    }
}

/// A fresh server, and a client whose user answers with `answer`.
async fn user_and_client(
    era: Era,
    answer: fn(&str) -> ElicitResult,
) -> (
    User,
    RunningService<RoleClient, SamplingClient<ScriptedLlm>>,
) {
    let user = User::default();
    let client = connect(
        era,
        Server::new(Sampler::new()),
        user.client(ScriptedLlm::new(), answer),
    )
    .await;
    (user, client)
}

fn accept(_: &str) -> ElicitResult {
    ElicitResult::new(ElicitationAction::Accept)
}

fn decline(_: &str) -> ElicitResult {
    ElicitResult::new(ElicitationAction::Decline)
}

fn cancel(_: &str) -> ElicitResult {
    ElicitResult::new(ElicitationAction::Cancel)
}

/// The tool results the LLM read in its second request, as JSON.
fn results_read(llm: &ScriptedLlm) -> Vec<Value> {
    let requests = llm.requests();
    requests[1]
        .tool_results()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

#[tokio::test]
async fn an_approved_call_runs_and_a_declined_or_dismissed_one_does_not() {
    for era in ERAS {
        for (answer, runs, says) in [
            (accept as fn(&str) -> ElicitResult, true, "refunded A1"),
            (decline, false, "The user declined to run tool 'refund'"),
            (
                cancel,
                false,
                "The user dismissed the approval of tool 'refund'",
            ),
        ] {
            let server = Server::new(Sampler::new());
            let llm = ScriptedLlm::new()
                .then_tool_use("refund", json!({"order": "A1"}))
                .then_text("done");
            let user = User::default();
            let client = connect(era, server.clone(), user.client(llm.clone(), answer)).await;
            let result = within(client.call_tool(call("support", json!({}))))
                .await
                .unwrap();
            assert_eq!(text_of(&result), "done", "{era:?}: the loop goes on");
            assert_eq!(user.count(), 1, "{era:?}: asked once");
            let asked = user.asked.lock().unwrap()[0].clone();
            assert!(
                asked.contains("'refund'") && asked.contains("\"A1\""),
                "{asked}"
            );
            assert_eq!(server.refunds().len(), usize::from(runs), "{era:?} {says}");
            let read = results_read(&llm);
            assert_eq!(read.len(), 1);
            assert!(read[0].to_string().contains(says), "{era:?}: {read:?}");
            assert_eq!(
                read[0]["isError"].as_bool().unwrap_or(false),
                !runs,
                "{era:?}"
            );
            client.cancel().await.unwrap();
        }
    }
}

#[tokio::test]
async fn without_the_elicitation_capability_the_policy_decides() {
    for era in ERAS {
        for (policy, refunded, outcome) in [
            ("deny", 0, "done"),
            ("allow", 1, "done"),
            ("fail", 0, "needs the user's approval"),
        ] {
            let server = Server::new(Sampler::new());
            let llm = ScriptedLlm::new()
                .then_tool_use("refund", json!({"order": "A1"}))
                .then_text("done");
            // No `with_elicitation`: the client does not declare the capability.
            let client = connect(era, server.clone(), SamplingClient::new(llm.clone())).await;
            let result = within(client.call_tool(call("support", json!({"policy": policy}))))
                .await
                .unwrap();
            assert!(
                text_of(&result).contains(outcome),
                "{era:?} {policy}: {result:?}"
            );
            assert_eq!(
                result.is_error == Some(true),
                policy == "fail",
                "{era:?} {policy}"
            );
            assert_eq!(server.refunds().len(), refunded, "{era:?} {policy}");
            if policy == "deny" {
                let read = results_read(&llm);
                assert!(read[0].to_string().contains("cannot be asked"), "{read:?}");
                assert_eq!(read[0]["isError"], true);
            }
            client.cancel().await.unwrap();
        }
    }
}

#[tokio::test]
async fn later_rounds_replay_approvals_and_never_ask_twice() {
    for era in ERAS {
        let server = Server::new(Sampler::new());
        let llm = ScriptedLlm::new()
            .then_tool_use("refund", json!({"order": "A1"}))
            .then_tool_use("lookup", json!({"order": "A1"}))
            .then_tool_use("refund", json!({"order": "B2"}))
            .then_text("done");
        let user = User::default();
        let client = connect(
            era,
            server.clone(),
            user.client(llm.clone(), |m| {
                if m.contains("B2") {
                    decline(m)
                } else {
                    accept(m)
                }
            }),
        )
        .await;
        let result = within(client.call_tool(call("support", json!({}))))
            .await
            .unwrap();
        assert_eq!(text_of(&result), "done", "{era:?}");
        assert_eq!(
            user.count(),
            2,
            "{era:?}: one question per refund, never repeated"
        );
        assert_eq!(
            server.refunds(),
            ["A1"],
            "{era:?}: the declined refund never ran"
        );
        assert_eq!(llm.request_count(), 4, "{era:?}");
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_predicate_asks_only_for_the_calls_it_holds_for() {
    for era in ERAS {
        let llm = ScriptedLlm::new()
            .then_tool_uses([
                ("lookup", json!({"order": "A1"})),
                ("lookup", json!({"order": "SECRET"})),
            ])
            .then_text("done");
        let user = User::default();
        let client = connect(
            era,
            Server::new(Sampler::new()),
            user.client(llm.clone(), decline),
        )
        .await;
        let result = within(client.call_tool(call("guarded_lookup", json!({}))))
            .await
            .unwrap();
        assert_eq!(text_of(&result), "done");
        assert_eq!(user.count(), 1, "{era:?}");
        let read = results_read(&llm);
        assert!(read[0].to_string().contains("A1: paid"), "{read:?}");
        assert!(read[1].to_string().contains("declined"), "{read:?}");
        client.cancel().await.unwrap();
    }
}

/// A sampling response calling `refund` for each order.
fn refunds_asked(orders: &[&str]) -> Value {
    let content: Vec<Value> = orders
        .iter()
        .enumerate()
        .map(|(i, order)| json!({"type": "tool_use", "id": format!("c{i}"), "name": "refund", "input": {"order": order}}))
        .collect();
    json!({"role": "assistant", "content": content, "model": "m", "stopReason": "toolUse"})
}

fn keys(round: &InputRequiredResult) -> Vec<(String, &'static str)> {
    round
        .input_requests
        .as_ref()
        .expect("input requests")
        .iter()
        .map(|(key, request)| {
            let kind = match request {
                InputRequest::CreateMessage(_) => "sampling",
                InputRequest::Elicitation(_) => "elicitation",
                InputRequest::ListRoots(_) => "roots",
                _ => "other",
            };
            (key.clone(), kind)
        })
        .collect()
}

#[tokio::test]
async fn two_approvals_go_out_in_one_round_and_a_tampered_state_is_refused() {
    let server = Server::new(Sampler::new());
    let user = User::default();
    let client = connect(
        Era::Modern,
        server.clone(),
        user.client(ScriptedLlm::new(), accept),
    )
    .await;
    let params = call("support", json!({}));
    let round1 = input_required(within(client.call_tool_once(params.clone())).await);
    let keys1 = keys(&round1);
    let [(sampling, "sampling")] = keys1.as_slice() else {
        panic!("{round1:?}");
    };
    let responses = InputResponses::from([(sampling.clone(), refunds_asked(&["A1", "B2"]))]);
    let round2 = input_required(
        within(client.call_tool_once(retry(params.clone(), &round1, responses))).await,
    );
    assert_eq!(
        keys(&round2),
        [
            ("approval-0-0-0".to_owned(), "elicitation"),
            ("approval-0-0-1".to_owned(), "elicitation"),
        ],
        "both approvals of the batch, in one round, and nothing else"
    );
    assert!(
        server.refunds().is_empty(),
        "nothing runs before its approval"
    );

    let approvals = InputResponses::from([
        (
            "approval-0-0-0".to_owned(),
            json!({"action": "accept", "content": {"approve": true}}),
        ),
        ("approval-0-0-1".to_owned(), json!({"action": "decline"})),
    ]);
    // The journal of round 2 changed by one character: refused, and nothing runs.
    let mut tampered = retry(params.clone(), &round2, approvals.clone());
    tampered.request_state = tampered.request_state.map(|state| {
        let mut bytes = state.into_bytes();
        let at = bytes.len() - 5;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    });
    match within(client.call_tool_once(tampered)).await {
        Err(rmcp::ServiceError::McpError(error)) => assert_eq!(error.code.0, -32602, "{error:?}"),
        other => panic!("expected -32602, got {other:?}"),
    }
    assert!(server.refunds().is_empty());

    let round3 = input_required(
        within(client.call_tool_once(retry(params.clone(), &round2, approvals))).await,
    );
    assert_eq!(
        server.refunds(),
        ["A1"],
        "the approved call ran, the declined one did not"
    );
    let keys3 = keys(&round3);
    let [(next, "sampling")] = keys3.as_slice() else {
        panic!("{round3:?}");
    };
    assert_eq!(next, "sampling-0-1");
    // Round 3's state again: the answers are in the journal, the refund does not run again.
    let done =
        json!({"role": "assistant", "content": {"type": "text", "text": "done"}, "model": "m"});
    let finished = within(client.call_tool_once(retry(
        params.clone(),
        &round3,
        InputResponses::from([(next.clone(), done)]),
    )))
    .await
    .unwrap();
    let CallToolResponse::Complete(result) = finished else {
        panic!("{finished:?}");
    };
    assert_eq!(text_of(&result), "done");
    assert_eq!(server.refunds(), ["A1"]);
    assert_eq!(
        user.count(),
        0,
        "answered by hand: the client's user was never asked"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_server_handler_loop_suspends_for_approval_and_its_turns_replay() {
    for era in ERAS {
        let handler = ScriptedLlm::new()
            .then_tool_use("refund", json!({"order": "A1"}))
            .then_text("done");
        let server = Server::new(Sampler::with_handler(handler.clone()).always());
        let user = User::default();
        let client = connect(era, server.clone(), user.client(ScriptedLlm::new(), accept)).await;
        let result = within(client.call_tool(call("support", json!({}))))
            .await
            .unwrap();
        assert_eq!(text_of(&result), "done", "{era:?}");
        assert_eq!(
            handler.request_count(),
            2,
            "{era:?}: the handler's first answer is replayed from the journal, not asked again"
        );
        assert_eq!(server.refunds(), ["A1"], "{era:?}");
        assert_eq!(user.count(), 1, "{era:?}");
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_typed_form_is_accepted_declined_or_cancelled() {
    for era in ERAS {
        for (answer, expected) in [
            (
                (|_: &str| {
                    ElicitResult::new(ElicitationAction::Accept)
                        .with_content(json!({"email": "a@b.c", "age": 7}))
                }) as fn(&str) -> ElicitResult,
                "accept a@b.c Some(7)",
            ),
            (
                |_: &str| {
                    ElicitResult::new(ElicitationAction::Accept)
                        .with_content(json!({"email": "a@b.c"}))
                },
                "accept a@b.c None",
            ),
            (decline, "decline"),
            (cancel, "cancel"),
        ] {
            let (user, client) = user_and_client(era, answer).await;
            let result = within(client.call_tool(call("contact", json!({}))))
                .await
                .unwrap();
            assert_eq!(text_of(&result), expected, "{era:?}");
            assert_eq!(user.count(), 1, "{era:?}");
            client.cancel().await.unwrap();
        }
    }
}

#[tokio::test]
async fn content_that_does_not_match_the_form_is_a_clear_error() {
    for era in ERAS {
        let user = User::default();
        let answer = |_: &str| {
            ElicitResult::new(ElicitationAction::Accept)
                .with_content(json!({"email": 5, "age": -1}))
        };
        let client = connect(
            era,
            Server::new(Sampler::new()),
            user.client(ScriptedLlm::new(), answer),
        )
        .await;
        let result = within(client.call_tool(call("contact", json!({}))))
            .await
            .unwrap();
        let text = text_of(&result);
        assert_eq!(result.is_error, Some(true), "{era:?}");
        assert!(
            text.contains("does not match the form") && text.contains("/email"),
            "{era:?}: {text}"
        );
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn without_the_capability_elicit_fails_clearly() {
    for era in ERAS {
        let client = connect(
            era,
            Server::new(Sampler::new()),
            SamplingClient::new(ScriptedLlm::new()),
        )
        .await;
        let result = within(client.call_tool(call("contact", json!({}))))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true), "{era:?}");
        assert!(
            text_of(&result).contains("`elicitation` capability"),
            "{era:?}: {result:?}"
        );
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_form_the_roots_and_a_url_awaited_together() {
    let answer = |m: &str| {
        if m.contains("reach") {
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({"email": "a@b.c"}))
        } else {
            ElicitResult::new(ElicitationAction::Accept)
        }
    };
    for era in ERAS {
        let (user, client) = user_and_client(era, answer).await;
        let result = within(client.call_tool(call("together", json!({}))))
            .await
            .unwrap();
        assert_eq!(text_of(&result), "a@b.c file:///work Accept(())", "{era:?}");
        assert_eq!(user.count(), 2, "{era:?}");
        client.cancel().await.unwrap();
    }
    // On 2026-07-28 the three go out in one round.
    let (user, client) = user_and_client(Era::Modern, answer).await;
    let round1 = input_required(within(client.call_tool_once(call("together", json!({})))).await);
    assert_eq!(
        keys(&round1),
        [
            ("input-0".to_owned(), "elicitation"),
            ("input-1".to_owned(), "roots"),
            ("input-2".to_owned(), "elicitation"),
        ]
    );
    assert_eq!(
        user.count(),
        0,
        "driven by hand: the requests did not reach the user"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_input_can_be_named_but_not_with_a_reserved_key() {
    let answer = |_: &str| {
        ElicitResult::new(ElicitationAction::Accept).with_content(json!({"email": "a@b.c"}))
    };
    let (user, client) = user_and_client(Era::Modern, answer).await;
    let round1 = input_required(within(client.call_tool_once(call("named", json!({})))).await);
    assert_eq!(keys(&round1), [("user_name".to_owned(), "elicitation")]);
    let result = within(client.call_tool(call("named", json!({}))))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "a@b.c");
    assert_eq!(user.count(), 1);
    let reserved = within(client.call_tool(call("named", json!({"policy": "sampling-0-0"}))))
        .await
        .unwrap();
    assert_eq!(reserved.is_error, Some(true));
    assert!(
        text_of(&reserved).contains("choose another"),
        "{reserved:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_prompt_asks_the_user_on_both_eras() {
    let answer = |_: &str| {
        ElicitResult::new(ElicitationAction::Accept).with_content(json!({"email": "a@b.c"}))
    };
    for era in ERAS {
        let (user, client) = user_and_client(era, answer).await;
        let prompt = within(client.get_prompt(GetPromptRequestParams::new("contact")))
            .await
            .unwrap();
        let text = prompt.messages[0]
            .content
            .as_text()
            .map(|t| t.text.as_str());
        assert_eq!(text, Some("Write to a@b.c"), "{era:?}");
        assert_eq!(user.count(), 1, "{era:?}");
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_resource_read_asks_the_user_on_both_eras() {
    let answer = |_: &str| {
        ElicitResult::new(ElicitationAction::Accept).with_content(json!({"email": "a@b.c"}))
    };
    for era in ERAS {
        let (user, client) = user_and_client(era, answer).await;
        let read = within(client.read_resource(ReadResourceRequestParams::new("card://me")))
            .await
            .unwrap();
        let ResourceContents::TextResourceContents { text, uri, .. } = &read.contents[0] else {
            panic!("{era:?}: not a text resource: {read:?}");
        };
        assert_eq!(
            (text.as_str(), uri.as_str()),
            ("card of a@b.c", "card://me")
        );
        assert_eq!(user.count(), 1, "{era:?}");
        client.cancel().await.unwrap();
    }
}
