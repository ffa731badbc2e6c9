//! The client's LLM on protocol 2026-07-28, where the server can no longer send requests: multi
//! round-trip (SEP-2322). A sampling call that needs the client's LLM suspends the whole tool
//! call, which answers with an `InputRequiredResult` carrying the `sampling/createMessage`
//! request and a sealed journal (`requestState`). The client retries the tool call with the
//! LLM's answer; the tool body runs again and every sampling call replays its journal up to the
//! point where it stopped, then goes on with the new answer.
//!
//! A tool body takes part through two pieces: the [`SamplingContext`] extractor (the call's
//! name, arguments, state and input responses, beside rmcp's request context) and
//! [`Sampler::reply`](crate::Sampler::reply), which runs the body, notices when every sampling
//! call in it is waiting for the client, and turns that into the tool's [`ToolReply`].

// The round trip carries rmcp's sampling types on the wire (deprecated by SEP-2577).
#![allow(deprecated)]

mod reply_error;
pub(crate) mod state;

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::Deref;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::prompt::IntoGetPromptResult;
use rmcp::handler::server::tool::{IntoCallToolResult, ToolCallContext};
use rmcp::model::{
    CallToolResponse, CreateMessageRequestParams, CreateMessageResult, GetPromptRequestParams,
    GetPromptResponse, InputRequest, InputRequiredResult, InputResponses, JsonObject,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Request,
    SamplingMessageContentBlock,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use self::reply_error::Outcome;
pub use self::reply_error::ReplyError;
use self::state::{Asked, Binding, CallRecord, Journal, RoundTripConfig, Turn, input_key};
use crate::error::{SampleError, SampleErrorKind};

/// The request context of a tool that samples, for every protocol era.
///
/// Take it as a parameter of an rmcp `#[tool]` function, pass it to
/// [`Sampler::reply`](crate::Sampler::reply), and use it wherever a
/// `&RequestContext<RoleServer>` is expected: it dereferences to one, so `sampler.on(&ctx)`
/// reads as before.
///
/// It must come **before** `Parameters<..>` in the signature. rmcp runs a tool's extractors in
/// the order of its parameters, and `Parameters` takes the call's arguments out of the
/// context, leaving nothing for the extractors after it to read (rmcp 3.11 keeps no other copy
/// of them); the sealed state is bound to the arguments, so this extractor must see them.
/// When it comes after `Parameters` in a tool whose schema requires arguments, every call
/// fails with a `-32602` error that says to move it first. (A tool whose arguments are all
/// optional cannot tell a client that sent none from a wrong order: there the state is bound
/// to the tool name alone.)
#[derive(Clone)]
pub struct SamplingContext {
    ctx: RequestContext<RoleServer>,
    round: Arc<Round>,
}

impl SamplingContext {
    /// The round of this tool call.
    pub(crate) fn round(&self) -> &Round {
        &self.round
    }
}

impl std::fmt::Debug for SamplingContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamplingContext")
            .field("id", &self.ctx.id)
            .field("tool", &self.round.call.tool)
            .finish_non_exhaustive()
    }
}

impl Deref for SamplingContext {
    type Target = RequestContext<RoleServer>;

    fn deref(&self) -> &Self::Target {
        &self.ctx
    }
}

impl<S: ServerHandler> FromContextPart<ToolCallContext<'_, S>> for SamplingContext {
    fn from_context_part(context: &mut ToolCallContext<'_, S>) -> Result<Self, ErrorData> {
        if context.arguments.is_none() && requires_arguments(context.service, &context.name) {
            // rmcp's `Parameters` (or `JsonObject`) extractor took the arguments before this
            // one: the state could not be bound to them. Say so on the first call rather than
            // seal a state that fits any arguments.
            return Err(ErrorData::invalid_params(
                format!(
                    "tool `{}` has no arguments, though its schema requires some. If the client \
                     sent them, the tool's signature takes `SamplingContext` after \
                     `Parameters`: put `SamplingContext` first (rmcp's `Parameters` takes the \
                     arguments, and the sampling state is bound to them)",
                    context.name
                ),
                None,
            ));
        }
        // Registered on the tool call's own context too: a `RequestContext` extracted after
        // this one finds the round.
        Ok(Self::start(
            "tools/call",
            &context.name,
            context.arguments.clone(),
            context.request_state.take(),
            context.input_responses.take(),
            &mut context.request_context,
        ))
    }
}

impl SamplingContext {
    /// The context of a `prompts/get` request, for a prompt that asks the user (or the
    /// client's LLM) before it answers: rmcp's prompt router does not hand a prompt the
    /// request's `requestState` and `inputResponses`, so implement `ServerHandler::get_prompt`
    /// and build the context from its parameters. Run the body in
    /// [`Sampler::reply`](crate::Sampler::reply) as for a tool; its [`ToolReply`] converts
    /// into rmcp's `GetPromptResponse` (a failure becomes a JSON-RPC error: a prompt result
    /// has no `isError`). The sealed state is bound to the prompt's name and arguments and
    /// to `prompts/get`, so it never opens for a tool call.
    pub fn for_prompt(
        mut ctx: RequestContext<RoleServer>,
        params: &mut GetPromptRequestParams,
    ) -> Self {
        Self::start(
            "prompts/get",
            &params.name,
            params.arguments.clone(),
            params.request_state.take(),
            params.input_responses.take(),
            &mut ctx,
        )
    }

    /// The context of a `resources/read` request, for a resource whose reading asks the user
    /// (or the client's LLM) first: implement `ServerHandler::read_resource`, build the context
    /// from its parameters, run the body in [`Sampler::reply`](crate::Sampler::reply), and
    /// turn its [`ToolReply`] into the response with
    /// [`into_read_resource_response`](ToolReply::into_read_resource_response). The sealed
    /// state is bound to `resources/read` and the resource's URI.
    pub fn for_resource(
        mut ctx: RequestContext<RoleServer>,
        params: &mut ReadResourceRequestParams,
    ) -> Self {
        Self::start(
            "resources/read",
            &params.uri,
            None,
            params.request_state.take(),
            params.input_responses.take(),
            &mut ctx,
        )
    }

    /// A round for one request of `method` on `name`, registered in `ctx`.
    fn start(
        method: &'static str,
        name: &str,
        arguments: Option<JsonObject>,
        request_state: Option<String>,
        input_responses: Option<InputResponses>,
        ctx: &mut RequestContext<RoleServer>,
    ) -> Self {
        let round = Arc::new(Round::new(CallInfo {
            method,
            tool: name.to_owned(),
            arguments,
            request_state,
            input_responses: input_responses.unwrap_or_default(),
            principal: principal(ctx),
        }));
        ctx.extensions.insert(RoundHandle(round.clone()));
        Self {
            ctx: ctx.clone(),
            round,
        }
    }
}

/// Whether the tool's input schema (as the server lists it) has required properties.
fn requires_arguments<S: ServerHandler>(service: &S, name: &str) -> bool {
    service.get_tool(name).is_some_and(|tool| {
        tool.input_schema
            .get("required")
            .and_then(|required| required.as_array())
            .is_some_and(|required| !required.is_empty())
    })
}

/// The caller's credentials, when the transport carries them (streamable HTTP).
fn principal(ctx: &RequestContext<RoleServer>) -> Option<Vec<u8>> {
    let parts = ctx.extensions.get::<http::request::Parts>()?;
    let authorization = parts.headers.get(http::header::AUTHORIZATION)?;
    Some(authorization.as_bytes().to_vec())
}

/// What a tool answers: its value, a loop failure for the caller to read, or, on protocol
/// 2026-07-28, a request for the client's LLM.
///
/// Made by [`Sampler::reply`](crate::Sampler::reply); rmcp turns it into the `tools/call`
/// response (it implements rmcp's `IntoCallToolResult` whenever `T` does).
#[derive(Debug)]
#[must_use = "a tool reply must be returned to rmcp"]
pub struct ToolReply<T>(Reply<T>);

#[derive(Debug)]
enum Reply<T> {
    /// The body finished.
    Done(T),
    /// A sampling loop failed: an `isError` tool result with the reason, so the caller (and
    /// its LLM) can read it.
    Failed(SampleError),
    /// Suspended until the client answers the input requests.
    InputRequired(InputRequiredResult),
    /// The request itself is unacceptable (a bad `requestState`), or the body failed with
    /// rmcp's `ErrorData`: a JSON-RPC error.
    Refused(ErrorData),
    /// The body failed with an error of its own: an `isError` tool result with its message.
    ToolError(String),
}

impl<T> ToolReply<T> {
    /// Whether the reply asks the client for input (protocol 2026-07-28).
    pub fn is_input_required(&self) -> bool {
        matches!(self.0, Reply::InputRequired(_))
    }
}

impl<T> From<Result<T, SampleError>> for ToolReply<T> {
    fn from(result: Result<T, SampleError>) -> Self {
        Self(match result {
            Ok(value) => Reply::Done(value),
            Err(error) => Reply::Failed(error),
        })
    }
}

impl<T> From<Result<T, ReplyError>> for ToolReply<T> {
    fn from(result: Result<T, ReplyError>) -> Self {
        Self(match result {
            Ok(value) => Reply::Done(value),
            Err(error) => match error.into_outcome() {
                Outcome::Sample(error) => Reply::Failed(error),
                Outcome::Rpc(error) => Reply::Refused(error),
                Outcome::Tool(message) => Reply::ToolError(message),
            },
        })
    }
}

impl<T: IntoCallToolResult> IntoCallToolResult for ToolReply<T> {
    fn into_call_tool_result(self) -> Result<CallToolResponse, ErrorData> {
        match self.0 {
            Reply::Done(value) => value.into_call_tool_result(),
            Reply::Failed(error) if error.is_cancelled() => Err(error.into()),
            Reply::Failed(error) => Ok(error.into_tool_result().into()),
            Reply::InputRequired(result) => Ok(result.into()),
            Reply::Refused(error) => Err(error),
            Reply::ToolError(message) => {
                Ok(
                    rmcp::model::CallToolResult::error(vec![rmcp::model::ContentBlock::text(
                        message,
                    )])
                    .into(),
                )
            }
        }
    }
}

impl<T: IntoGetPromptResult> IntoGetPromptResult for ToolReply<T> {
    fn into_get_prompt_result(self) -> Result<GetPromptResponse, ErrorData> {
        match self.0 {
            Reply::Done(value) => value.into_get_prompt_result(),
            Reply::Failed(error) => Err(error.into()),
            Reply::InputRequired(result) => Ok(result.into()),
            Reply::Refused(error) => Err(error),
            Reply::ToolError(message) => Err(ErrorData::internal_error(message, None)),
        }
    }
}

impl ToolReply<ReadResourceResult> {
    /// The `resources/read` response: the contents, or (protocol 2026-07-28) the input the
    /// reading waits for. A failure becomes a JSON-RPC error: a resource result has no
    /// `isError`.
    pub fn into_read_resource_response(self) -> Result<ReadResourceResponse, ErrorData> {
        match self.0 {
            Reply::Done(value) => Ok(value.into()),
            Reply::Failed(error) => Err(error.into()),
            Reply::InputRequired(result) => Ok(result.into()),
            Reply::Refused(error) => Err(error),
            Reply::ToolError(message) => Err(ErrorData::internal_error(message, None)),
        }
    }
}

/// The extension through which a sampling call finds its round.
#[derive(Clone)]
pub(crate) struct RoundHandle(pub(crate) Arc<Round>);

/// What the tool call (or `prompts/get`) brought.
struct CallInfo {
    /// `tools/call`, `prompts/get` or `resources/read`: part of what the state is bound to.
    method: &'static str,
    tool: String,
    arguments: Option<JsonObject>,
    request_state: Option<String>,
    input_responses: InputResponses,
    principal: Option<Vec<u8>>,
}

/// One `tools/call` round of a tool body: the journal it replays, and the input requests its
/// sampling calls make.
pub(crate) struct Round {
    call: CallInfo,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Set by `Sampler::reply`: the body runs under it.
    config: Option<RoundTripConfig>,
    /// This round's number (1 for the first `tools/call`).
    number: u32,
    /// The journal, brought up to date as the calls progress.
    journal: Journal,
    /// The input requests asked in the previous round, by key.
    previously_asked: BTreeMap<String, bool>,
    /// Per sampling call, how many turns the opened journal already held: those are replays,
    /// the ones after them arrived with this round's input responses.
    replayed_turns: Vec<usize>,
    /// Why the last input response was asked for again (missing or malformed), for the error
    /// when the rounds run out.
    reasked: Option<String>,
    /// Sampling calls started in this round.
    started: usize,
    /// Inputs the tool body itself awaited in this round (elicitations, roots).
    inputs_started: usize,
    /// Sampling calls running (started, neither finished nor waiting for the client).
    active: usize,
    /// This round's input requests.
    asks: BTreeMap<String, (InputRequest, bool)>,
    /// The waker of `Sampler::reply`, woken when the last running call starts to wait.
    waker: Option<Waker>,
}

/// Where the answer to a sampling call's next LLM turn comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Nothing answers it yet: the request goes to the LLM (or into this round's input
    /// requests).
    Live,
    /// It arrived with this round's input responses: a new answer of the client's LLM.
    Arrived,
    /// It was answered in an earlier round and is replayed from the journal: not a new call.
    Replayed,
}

/// How a sampling call's LLM turn is answered in this round.
pub(crate) enum Answer {
    /// From the journal, or the client's input response.
    Ready(Box<CreateMessageResult>),
    /// Not yet: the request went into this round's input requests.
    Asked,
}

impl Round {
    fn new(call: CallInfo) -> Self {
        Self {
            call,
            inner: Mutex::new(Inner {
                number: 1,
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The lock is never held across an await or user code; a poisoned one still holds
        // consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `Sampler::reply` runs the body, so a sampling call may suspend.
    pub(crate) fn is_open(&self) -> bool {
        self.lock().config.is_some()
    }

    /// The configured round budget, once `Sampler::reply` runs the body.
    pub(crate) fn budget(&self) -> Option<u32> {
        self.lock().config.as_ref().map(|c| c.round_budget)
    }

    /// Where the answer to turn `turn` of call `call` comes from.
    pub(crate) fn origin(&self, call: usize, turn: usize) -> Origin {
        let inner = self.lock();
        let recorded = inner.journal.calls.get(call).map_or(0, |r| r.turns.len());
        let replayed = inner.replayed_turns.get(call).copied().unwrap_or(0);
        if turn < replayed.min(recorded) {
            Origin::Replayed
        } else if turn < recorded {
            Origin::Arrived
        } else {
            Origin::Live
        }
    }

    /// Registers a sampling call; returns its index in start order.
    pub(crate) fn begin_call(&self) -> usize {
        let mut inner = self.lock();
        inner.started += 1;
        inner.active += 1;
        inner.started - 1
    }

    /// Registers an input the tool body itself awaits; returns its index in start order.
    pub(crate) fn begin_body_input(&self) -> usize {
        let mut inner = self.lock();
        inner.inputs_started += 1;
        inner.inputs_started - 1
    }

    /// A sampling call starts waiting for the client (for approvals): once no call runs, the
    /// round ends with this round's input requests.
    pub(crate) fn call_waits(&self) {
        let mut inner = self.lock();
        inner.active = inner.active.saturating_sub(1);
        Self::wake_if_quiet(&mut inner);
    }

    /// The answer to input `key` (an elicitation, the roots, a tool approval): recorded in the
    /// journal, or brought by the client for the request asked in the previous round (checked
    /// by `check`, then recorded). Otherwise `request` joins this round's input requests and
    /// the answer is `None`: the caller waits for the next round.
    pub(crate) fn input(
        &self,
        key: &str,
        request: impl FnOnce() -> InputRequest,
        check: impl FnOnce(&serde_json::Value) -> Result<(), String>,
    ) -> Result<Option<serde_json::Value>, SampleErrorKind> {
        let mut inner = self.lock();
        if let Some(recorded) = inner.journal.inputs.get(key) {
            return Ok(Some(recorded.clone()));
        }
        if inner.previously_asked.contains_key(key) {
            match self.call.input_responses.get(key) {
                Some(answer) => {
                    check(answer).map_err(|reason| {
                        SampleErrorKind::InvalidInput(format!(
                            "the client's answer to input request `{key}`: {reason}"
                        ))
                    })?;
                    inner.journal.inputs.insert(key.to_owned(), answer.clone());
                    return Ok(Some(answer.clone()));
                }
                None => tracing::info!(
                    key,
                    "the client did not answer an input request; asking again"
                ),
            }
        }
        let budget = inner.config.as_ref().map_or(1, |c| c.round_budget);
        if inner.number >= budget {
            return Err(SampleErrorKind::RoundBudget(budget));
        }
        inner.asks.insert(key.to_owned(), (request(), false));
        Self::wake_if_quiet(&mut inner);
        Ok(None)
    }

    /// The response recorded for turn `turn` of call `call` in an earlier round, if any.
    pub(crate) fn recorded_turn(
        &self,
        call: usize,
        turn: usize,
    ) -> Option<Result<CreateMessageResult, SampleErrorKind>> {
        let inner = self.lock();
        let recorded = inner.journal.calls.get(call)?.turns.get(turn)?;
        Some(serde_json::from_str(recorded.response.get()).map_err(|e| {
            SampleErrorKind::InvalidResponse(format!("a recorded response is unreadable: {e}"))
        }))
    }

    /// Records the response of turn `turn` of call `call` answered by the server's own
    /// handler, so that a later round replays it instead of asking the handler again (which
    /// may answer differently).
    pub(crate) fn record_turn(&self, call: usize, turn: usize, response: &CreateMessageResult) {
        let mut inner = self.lock();
        if let Some(record) = inner.journal.calls.get_mut(call)
            && record.turns.len() == turn
            && let Ok(response) = serde_json::value::to_raw_value(response)
        {
            record.turns.push(Turn {
                response,
                forced: false,
                tools: None,
            });
        }
    }

    /// A sampling call finished (or was dropped) without waiting for the client.
    pub(crate) fn end_call(&self) {
        let mut inner = self.lock();
        inner.active = inner.active.saturating_sub(1);
        Self::wake_if_quiet(&mut inner);
    }

    fn wake_if_quiet(inner: &mut Inner) {
        if inner.active == 0
            && !inner.asks.is_empty()
            && let Some(waker) = inner.waker.take()
        {
            waker.wake();
        }
    }

    /// Whether turn `turn` of call `call` must force the answer (the last round the client
    /// affords), taking the client's answer into the journal first when it brought one.
    pub(crate) fn prepare_turn(
        &self,
        call: usize,
        turn: usize,
        first_request: impl FnOnce() -> CreateMessageRequestParams,
    ) -> Result<bool, SampleErrorKind> {
        let mut inner = self.lock();
        if turn == 0 {
            let fingerprint = fingerprint(&first_request());
            match inner.journal.calls.get(call) {
                Some(record) if record.fingerprint != fingerprint => {
                    return Err(SampleErrorKind::Configuration(format!(
                        "sampling call #{} of this tool body differs from the one made in the \
                         previous round (other messages, options, tools or order); a tool body \
                         must make the same sampling calls in the same order in every round",
                        call + 1
                    )));
                }
                Some(_) => {}
                None if call == inner.journal.calls.len() => {
                    inner.journal.calls.push(CallRecord {
                        fingerprint,
                        turns: Vec::new(),
                    });
                }
                None => {
                    return Err(SampleErrorKind::Configuration(
                        "sampling calls started out of order in this round".into(),
                    ));
                }
            }
        }
        let inner = &mut *inner;
        let Some(record) = inner.journal.calls.get_mut(call) else {
            return Err(SampleErrorKind::Configuration(
                "a sampling call's journal is missing".into(),
            ));
        };
        if let Some(recorded) = record.turns.get(turn) {
            return Ok(recorded.forced);
        }
        let key = input_key(call, turn);
        if turn == record.turns.len()
            && let Some(&forced) = inner.previously_asked.get(&key)
        {
            match self.call.input_responses.get(&key).map(parse_response) {
                Some(Ok(response)) => {
                    record.turns.push(Turn {
                        response: serde_json::value::to_raw_value(&response)
                            .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned()),
                        forced,
                        tools: None,
                    });
                    return Ok(forced);
                }
                Some(Err(reason)) => {
                    tracing::warn!(
                        key,
                        reason,
                        "the client's sampling response is malformed; asking again"
                    );
                    inner.reasked = Some(format!("its answer to `{key}` was malformed: {reason}"));
                }
                None => {
                    tracing::info!(
                        key,
                        "the client did not answer a sampling request; asking again"
                    );
                    inner.reasked = Some(format!("it sent no answer to `{key}`"));
                }
            }
        }
        let budget = inner.config.as_ref().map_or(1, |c| c.round_budget);
        // The request asked in round `number` is answered in round `number + 1`: the last
        // request the client affords is the one asked in round `budget - 1`.
        Ok(inner.number + 1 >= budget)
    }

    /// The answer to turn `turn` of call `call`, or, when there is none yet, the request
    /// (built by `params` only then: a replayed turn needs none) added to this round's input
    /// requests.
    pub(crate) fn answer(
        &self,
        call: usize,
        turn: usize,
        forced: bool,
        params: impl FnOnce() -> CreateMessageRequestParams,
    ) -> Result<Answer, SampleErrorKind> {
        let mut inner = self.lock();
        if let Some(recorded) = inner
            .journal
            .calls
            .get(call)
            .and_then(|record| record.turns.get(turn))
        {
            return serde_json::from_str(recorded.response.get())
                .map(|response| Answer::Ready(Box::new(response)))
                .map_err(|e| {
                    SampleErrorKind::InvalidResponse(format!(
                        "a recorded response is unreadable: {e}"
                    ))
                });
        }
        let budget = inner.config.as_ref().map_or(1, |c| c.round_budget);
        if inner.number >= budget {
            // Only a client that left a request unanswered (or answered it badly) gets here:
            // the last affordable request forces the answer.
            return Err(match inner.reasked.take() {
                Some(reason) => SampleErrorKind::ClientNoValidAnswer {
                    rounds: budget,
                    reason,
                },
                None => SampleErrorKind::RoundBudget(budget),
            });
        }
        // Checked here, not only when sealing, so that the loop's error keeps its history.
        let cap = inner.config.as_ref().map_or(0, |c| c.max_state_bytes);
        let bytes = state::state_bytes(&inner.journal, cap) + 64 * (inner.asks.len() + 1);
        if bytes > cap {
            return Err(SampleErrorKind::StateTooLarge { bytes, limit: cap });
        }
        let request = InputRequest::CreateMessage(Request::new(params()));
        inner.asks.insert(input_key(call, turn), (request, forced));
        inner.active = inner.active.saturating_sub(1);
        Self::wake_if_quiet(&mut inner);
        Ok(Answer::Asked)
    }

    /// The recorded results of the tool batch after turn `turn` of call `call`, if it ran in
    /// an earlier round.
    pub(crate) fn recorded_tools(
        &self,
        call: usize,
        turn: usize,
    ) -> Option<Vec<SamplingMessageContentBlock>> {
        let inner = self.lock();
        let tools = inner
            .journal
            .calls
            .get(call)?
            .turns
            .get(turn)?
            .tools
            .as_ref()?;
        serde_json::from_str(tools.get()).ok()
    }

    /// Records the results of the tool batch after turn `turn` of call `call`.
    pub(crate) fn record_tools(
        &self,
        call: usize,
        turn: usize,
        results: &[SamplingMessageContentBlock],
    ) {
        let mut inner = self.lock();
        if let Some(turn) = inner
            .journal
            .calls
            .get_mut(call)
            .and_then(|record| record.turns.get_mut(turn))
        {
            turn.tools = serde_json::value::to_raw_value(results).ok();
        }
    }
}

/// A digest of a sampling call's first request: what it must be again in the next round.
fn fingerprint(params: &CreateMessageRequestParams) -> String {
    let bytes = serde_json::to_vec(params).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The client's answer to a sampling input request, checked.
fn parse_response(value: &serde_json::Value) -> Result<CreateMessageResult, String> {
    let result: CreateMessageResult = serde_path_to_error::deserialize(value)
        .map_err(|e| format!("not a sampling result: {e}"))?;
    crate::handler::check_response(&crate::message::rmcp::response_from_rmcp(result.clone())?)?;
    Ok(result)
}

/// Runs a tool body under multi round-trip: opens the `requestState` it came with, replays
/// its journal, and answers with the body's outcome or, when the body waits for the client,
/// the sealed journal and this round's input requests. See
/// [`Sampler::reply`](crate::Sampler::reply).
pub(crate) async fn run<T, F>(
    config: &RoundTripConfig,
    ctx: &SamplingContext,
    body: F,
) -> ToolReply<T>
where
    F: Future,
    F::Output: Into<ToolReply<T>>,
{
    let round = &ctx.round;
    let config = config.clone();
    let binding = Binding::for_method(
        round.call.method,
        &round.call.tool,
        round.call.arguments.as_ref(),
        round.call.principal.as_deref(),
    );
    let number = match &round.call.request_state {
        None => 1,
        Some(sealed) => match state::open(&config, sealed, &binding) {
            Ok(journal) => {
                let mut inner = round.lock();
                let number = journal.round.saturating_add(1);
                inner.previously_asked = journal
                    .asked
                    .iter()
                    .map(|asked| (asked.key.clone(), asked.forced))
                    .collect();
                inner.replayed_turns = journal.calls.iter().map(|c| c.turns.len()).collect();
                inner.journal = journal;
                number
            }
            Err(error) => {
                tracing::warn!(tool = %round.call.tool, %error, "refused a requestState");
                return ToolReply(Reply::Refused(ErrorData::invalid_params(
                    "Invalid or expired requestState",
                    None,
                )));
            }
        },
    };
    {
        let mut inner = round.lock();
        inner.number = number;
        inner.config = Some(config.clone());
    }
    let span = tracing::info_span!("sampling.round", round = number, tool = %round.call.tool);
    let mut body = pin!(body.instrument(span));
    let outcome = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = body.as_mut().poll(cx) {
            return Poll::Ready(Some(result));
        }
        let mut inner = round.lock();
        if inner.active == 0 && !inner.asks.is_empty() {
            return Poll::Ready(None);
        }
        inner.waker = Some(cx.waker().clone());
        Poll::Pending
    })
    .await;
    match outcome {
        Some(result) => result.into(),
        None => suspend(round, &config, &binding, number),
    }
}
/// Seals the journal and asks the client for this round's input.
fn suspend<T>(
    round: &Round,
    config: &RoundTripConfig,
    binding: &Binding,
    number: u32,
) -> ToolReply<T> {
    let mut inner = round.lock();
    let asks = std::mem::take(&mut inner.asks);
    let journal = Journal {
        v: state::STATE_VERSION,
        round: number,
        calls: std::mem::take(&mut inner.journal.calls),
        inputs: std::mem::take(&mut inner.journal.inputs),
        asked: asks
            .iter()
            .map(|(key, (_, forced))| Asked {
                key: key.clone(),
                forced: *forced,
            })
            .collect(),
    };
    match state::seal(config, &journal, binding) {
        Ok(sealed) => {
            tracing::debug!(
                round = number,
                requests = asks.len(),
                state_bytes = sealed.len(),
                "suspended for the client's LLM"
            );
            let requests = asks
                .into_iter()
                .map(|(key, (request, _))| (key, request))
                .collect();
            ToolReply(Reply::InputRequired(InputRequiredResult::new(
                Some(requests),
                Some(sealed),
            )))
        }
        Err(state::StateError::TooLarge { bytes, cap }) => ToolReply(Reply::Failed(
            SampleError::new(SampleErrorKind::StateTooLarge { bytes, limit: cap }),
        )),
        Err(error) => ToolReply(Reply::Failed(SampleError::new(
            SampleErrorKind::Configuration(error.to_string()),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    fn round_with(turn: Turn) -> Round {
        let round = Round::new(CallInfo {
            method: "tools/call",
            tool: "t".into(),
            arguments: None,
            request_state: None,
            input_responses: InputResponses::default(),
            principal: None,
        });
        round.lock().journal.calls.push(CallRecord {
            fingerprint: "f".into(),
            turns: vec![turn],
        });
        round
    }

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    #[test]
    fn recorded_responses_and_tool_results_are_parsed_when_replayed() {
        let round = round_with(Turn {
            response: raw(
                r#"{"role":"assistant","content":{"type":"text","text":"hi"},"model":"m"}"#,
            ),
            forced: false,
            tools: Some(raw(
                r#"[{"type":"tool_result","toolUseId":"t1","content":[]}]"#,
            )),
        });
        let params = || CreateMessageRequestParams::new(Vec::new(), 10);
        assert!(matches!(
            round.answer(0, 0, false, params),
            Ok(Answer::Ready(response)) if response.model == "m"
        ));
        assert_eq!(round.recorded_tools(0, 0).map(|t| t.len()), Some(1));
    }

    #[test]
    fn a_recorded_response_that_is_json_but_no_sampling_result_fails_the_call_cleanly() {
        // JSON, so the state opened; not a `CreateMessageResult`, so the replay fails with a
        // reason instead of a panic or a silent skip.
        let round = round_with(Turn {
            response: raw(r#"{"role":5}"#),
            forced: false,
            tools: Some(raw(r#"{"not":"a list"}"#)),
        });
        let params = || CreateMessageRequestParams::new(Vec::new(), 10);
        let error = round.answer(0, 0, false, params).err();
        assert!(
            matches!(&error, Some(SampleErrorKind::InvalidResponse(r)) if r.contains("unreadable")),
            "{error:?}"
        );
        assert!(round.recorded_tools(0, 0).is_none());
    }
}
