//! The LLM of one loop once its channel is decided: each request goes to the client (pushed or
//! through this round's input requests, replayed from the journal on later rounds) or to the
//! server's handler.

#![allow(deprecated)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rmcp::RoleServer;
use rmcp::model::{ClientResult, CreateMessageRequest, ServerRequest};
use rmcp::service::RequestContext;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::channel::ask::{Ask, await_inputs};
use crate::channel::push::{CallLimit, Stop, linked_cancellation, push, stopped};
use crate::channel::roundtrip::state::approval_key;
use crate::channel::roundtrip::{Answer, Origin, Round};
use crate::channel::route::{ClientView, Decision, Route, decide, round_of};
use crate::error::SampleErrorKind;
use crate::handler::{self, HandlerContext, SamplingHandler, Side, check_messages};
use crate::message::rmcp::{
    request_into_rmcp, request_to_rmcp, response_from_rmcp, response_to_rmcp,
    tool_results_from_rmcp, tool_results_to_rmcp,
};
use crate::message::{LlmRequest, LlmResponse, ToolResult};

/// The LLM of one loop, once decided.
pub(crate) struct Llm<'a> {
    decision: Decision,
    ctx: Option<&'a RequestContext<RoleServer>>,
    handler: Option<&'a dyn SamplingHandler>,
    cancellation: CancellationToken,
    /// Ends the task that links an extra cancellation token, when the loop is over.
    _unlink: Option<DropGuard>,
    /// On the multi round-trip channel, this sampling call's place in its round.
    round: Option<RoundCall>,
}

/// A sampling call's place in a multi round-trip round.
struct RoundCall {
    round: Arc<Round>,
    /// The call's index in the tool body (start order).
    index: usize,
    /// LLM turns answered so far.
    turns: AtomicUsize,
    /// Whether the next request forces the answer.
    forced: AtomicBool,
    /// Whether the call is waiting for the client.
    suspended: AtomicBool,
}

impl Drop for RoundCall {
    fn drop(&mut self) {
        if !self.suspended.load(Ordering::Relaxed) {
            self.round.end_call();
        }
    }
}

impl<'a> Llm<'a> {
    pub(crate) fn new(
        route: Route<'a>,
        ctx: Option<&'a RequestContext<RoleServer>>,
        tools_offered: bool,
        extra_cancellation: Option<&CancellationToken>,
    ) -> Result<Self, SampleErrorKind> {
        let (cancellation, unlink) = linked_cancellation(ctx.map(|c| &c.ct), extra_cancellation);
        let decision = decide(
            route.mode,
            route.handler.is_some(),
            route.fallback_on_decline,
            ctx.map(ClientView::of),
            tools_offered,
        )?;
        // On 2026-07-28 a body under `Sampler::reply` may suspend (for the client's LLM, an
        // elicitation, an approval): every LLM turn is journaled then, the handler's too, so
        // that the next round replays the same answers instead of asking the handler again.
        let journaled = match (decision, ctx) {
            (Decision::RoundTrip, _) => true,
            (_, Some(ctx)) => ClientView::of(ctx).modern,
            (_, None) => false,
        };
        let round = match ctx.and_then(round_of) {
            Some(round) if journaled && round.is_open() => Some(RoundCall {
                index: round.begin_call(),
                round: round.clone(),
                turns: AtomicUsize::new(0),
                forced: AtomicBool::new(false),
                suspended: AtomicBool::new(false),
            }),
            _ => None,
        };
        Ok(Self {
            decision,
            ctx,
            handler: route.handler,
            cancellation,
            _unlink: unlink,
            round,
        })
    }

    /// Whether the next request must force the answer because it is the last one the client
    /// will answer (multi round-trip round budget). `first_request` gives the call's first
    /// request, whose digest must match the one recorded in earlier rounds.
    pub(crate) fn forces_answer(
        &self,
        first_request: impl FnOnce() -> LlmRequest,
    ) -> Result<bool, SampleErrorKind> {
        let Some(call) = &self.round else {
            return Ok(false);
        };
        let turn = call.turns.load(Ordering::Relaxed);
        let forced = call
            .round
            .prepare_turn(call.index, turn, || request_into_rmcp(&mut first_request()))?
            // Only the client's LLM costs rounds; the handler answers within one.
            && self.decision == Decision::RoundTrip;
        call.forced.store(forced, Ordering::Relaxed);
        Ok(forced)
    }

    /// The MCP request the loop serves, if any.
    pub(crate) fn context(&self) -> Option<&RequestContext<RoleServer>> {
        self.ctx
    }

    /// Where the answer to the next LLM request comes from: a live call, or (multi round-trip)
    /// an answer that arrived with this round, or one replayed from the journal.
    pub(crate) fn origin(&self) -> Origin {
        match &self.round {
            Some(call) => call
                .round
                .origin(call.index, call.turns.load(Ordering::Relaxed)),
            None => Origin::Live,
        }
    }

    /// The round budget of the multi round-trip channel.
    pub(crate) fn round_budget(&self) -> u32 {
        self.round
            .as_ref()
            .and_then(|call| call.round.budget())
            .unwrap_or_default()
    }

    /// The results of the tool batch that follows the last response, when it already ran in
    /// an earlier round.
    /// A journal this crate cannot read back counts as none: the tools run again.
    pub(crate) fn recorded_tools(&self) -> Option<Vec<ToolResult>> {
        let call = self.round.as_ref()?;
        let turn = call.turns.load(Ordering::Relaxed).checked_sub(1)?;
        let blocks = call.round.recorded_tools(call.index, turn)?;
        tool_results_from_rmcp(blocks)
            .map_err(|error| tracing::warn!(%error, "recorded tool results are unreadable"))
            .ok()
    }

    /// Keeps the results of the tool batch that follows the last response for later rounds.
    pub(crate) fn record_tools(&self, results: &[ToolResult]) {
        if let Some(call) = &self.round
            && let Some(turn) = call.turns.load(Ordering::Relaxed).checked_sub(1)
        {
            call.round
                .record_tools(call.index, turn, &tool_results_to_rmcp(results));
        }
    }

    /// The channel's name, for traces.
    pub(crate) fn channel(&self) -> &'static str {
        match self.decision {
            Decision::Client { .. } => "client",
            Decision::RoundTrip => "client-round-trip",
            Decision::Handler => "handler",
        }
    }

    /// Cancelled when the MCP request is.
    pub(crate) fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    /// One LLM call, stopped by the loop's cancellation or its `limit`; when the client's
    /// request is stopped before its answer, the client is sent `notifications/cancelled`.
    /// The request is left as it was, except when a multi round-trip round asks it and
    /// suspends: then its messages move into the input request (it is never sent again).
    pub(crate) async fn call(
        &self,
        params: &mut LlmRequest,
        limit: CallLimit,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let stop = limit.stop_at();
        match (self.decision, self.ctx, &self.round) {
            (Decision::RoundTrip, ..) => self.call_round_trip(params).await,
            (Decision::Handler, _, Some(call)) => {
                self.call_handler_journaled(call, params, &stop).await
            }
            (Decision::Client { decline_fallback }, Some(ctx), _) => {
                match self.call_client(ctx, params, &stop).await {
                    Err(SampleErrorKind::Client(rmcp::ServiceError::McpError(error)))
                        if decline_fallback =>
                    {
                        tracing::info!(
                            error = %error.message,
                            "the client declined a sampling request; the handler answers"
                        );
                        self.call_handler(params.clone(), &stop).await
                    }
                    other => other,
                }
            }
            // The handler owns its request: the one copy of the history this call makes.
            _ => self.call_handler(params.clone(), &stop).await,
        }
    }

    /// Answers from the round's journal, or asks the client and waits: the tool body's round
    /// ends while this call waits, and the body is dropped with it.
    async fn call_round_trip(
        &self,
        params: &mut LlmRequest,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let Some(call) = &self.round else {
            return Err(SampleErrorKind::Configuration(
                "a multi round-trip sampling call has no round".into(),
            ));
        };
        let turn = call.turns.load(Ordering::Relaxed);
        let forced = call.forced.load(Ordering::Relaxed);
        match call
            .round
            .answer(call.index, turn, forced, || request_into_rmcp(params))?
        {
            Answer::Ready(response) => {
                call.turns.store(turn + 1, Ordering::Relaxed);
                response_from_rmcp(*response).map_err(SampleErrorKind::InvalidResponse)
            }
            Answer::Asked => {
                call.suspended.store(true, Ordering::Relaxed);
                std::future::pending().await
            }
        }
    }

    /// The handler's answer to a turn of a body that may suspend: replayed from the journal
    /// when an earlier round recorded it, else asked and recorded.
    async fn call_handler_journaled(
        &self,
        call: &RoundCall,
        params: &LlmRequest,
        stop: &Stop,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let turn = call.turns.load(Ordering::Relaxed);
        let response = match call.round.recorded_turn(call.index, turn) {
            Some(recorded) => {
                response_from_rmcp(recorded?).map_err(SampleErrorKind::InvalidResponse)?
            }
            None => {
                let response = self.call_handler(params.clone(), stop).await?;
                call.round
                    .record_turn(call.index, turn, &response_to_rmcp(&response));
                response
            }
        };
        call.turns.store(turn + 1, Ordering::Relaxed);
        Ok(response)
    }

    /// Awaits the user's answers to `asks` (tool approvals) for the tool batch that follows
    /// the last response, in their order: on 2026-07-28 from the journal or this round's
    /// input responses (else all are asked in this round and the call waits for the next),
    /// before that as requests pushed to the client.
    pub(crate) async fn await_approvals(
        &self,
        asks: Vec<(usize, Ask)>,
        limit: CallLimit,
    ) -> Result<Vec<serde_json::Value>, SampleErrorKind> {
        let Some(ctx) = self.ctx else {
            return Err(SampleErrorKind::Configuration(
                "approvals need an MCP request to ask the user through".into(),
            ));
        };
        if !ClientView::of(ctx).modern {
            // Pushed requests need no keys: their answers come back on their own requests.
            let unkeyed = asks
                .into_iter()
                .map(|(position, ask)| (position.to_string(), ask))
                .collect();
            return await_inputs(ctx, None, unkeyed, &self.cancellation, limit, || {}).await;
        }
        let Some(call) = &self.round else {
            return Err(SampleErrorKind::Configuration(
                "the client speaks protocol 2026-07-28, where asking the user for a tool's \
                 approval suspends the tool call: take a `SamplingContext` in the tool and run \
                 the body in `sampler.reply(&ctx, async { .. })`"
                    .into(),
            ));
        };
        let turn = call.turns.load(Ordering::Relaxed).saturating_sub(1);
        let keyed = asks
            .into_iter()
            .map(|(position, ask)| (approval_key(call.index, turn, position), ask))
            .collect();
        await_inputs(
            ctx,
            Some(&call.round),
            keyed,
            &self.cancellation,
            limit,
            || {
                call.suspended.store(true, Ordering::Relaxed);
                call.round.call_waits();
            },
        )
        .await
    }

    /// The request to the client's LLM. rmcp's `Peer::create_message` is not used: its message
    /// check is quadratic in tool calls (ours is linear), it hides the request's id (needed to
    /// cancel it), and it reports any malformed answer as "Unexpected response type".
    async fn call_client(
        &self,
        ctx: &RequestContext<RoleServer>,
        params: &LlmRequest,
        stop: &Stop,
    ) -> Result<LlmResponse, SampleErrorKind> {
        // The rule rmcp's `create_message` enforces: no tools without `sampling.tools`.
        if (!params.tools.is_empty() || params.tool_choice.is_some())
            && !ctx.peer.supports_sampling_tools()
        {
            return Err(SampleErrorKind::Client(rmcp::ServiceError::McpError(
                rmcp::ErrorData::invalid_params(
                    "tools or toolChoice provided but client does not support sampling tools \
                     capability",
                    None,
                ),
            )));
        }
        check_messages(&params.messages).map_err(|message| {
            SampleErrorKind::Configuration(format!(
                "the sampling messages are malformed: {message}"
            ))
        })?;
        let request =
            ServerRequest::CreateMessageRequest(CreateMessageRequest::new(request_to_rmcp(params)));
        match push(&ctx.peer, request, &self.cancellation, stop).await? {
            ClientResult::CreateMessageResult(result) => {
                response_from_rmcp(*result).map_err(SampleErrorKind::InvalidResponse)
            }
            other => Err(SampleErrorKind::InvalidResponse(
                handler::explain_malformed_result(&other),
            )),
        }
    }

    async fn call_handler(
        &self,
        params: LlmRequest,
        stop: &Stop,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let Some(handler) = self.handler else {
            return Err(SampleErrorKind::Configuration(
                "no sampling handler is configured".into(),
            ));
        };
        let side = if self.ctx.is_some() {
            Side::Server
        } else {
            Side::Standalone
        };
        // A child token: a handler stopped by the limit learns it, the loop's token stays.
        let cancellation = self.cancellation.child_token();
        let _stop_handler = cancellation.clone().drop_guard();
        let cx = HandlerContext::new(side, cancellation);
        tokio::select! {
            biased;
            reason = stopped(&self.cancellation, stop) => Err(reason),
            answer = handler.create_message(params, cx) => answer.map_err(SampleErrorKind::Handler),
        }
    }
}
