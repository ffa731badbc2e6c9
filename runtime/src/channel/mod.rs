//! Which LLM answers a request, and the call itself: the one seam between the loop and the
//! channels (the client's LLM through rmcp, or a server-side handler).
//!
//! The loop speaks this crate's [`LlmRequest`]/[`LlmResponse`]; the client channels (push and
//! multi round-trip) convert them to rmcp's deprecated sampling types here, at the boundary.
#![allow(deprecated)]

pub(crate) mod handler;
pub(crate) mod roundtrip;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{
    CancelledNotificationParam, ClientResult, CreateMessageRequest, RequestId, ServerRequest,
};
use rmcp::service::{Peer, PeerRequestOptions, RequestContext};
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

use self::handler::check_messages;
pub(crate) use self::roundtrip::Origin;
use self::roundtrip::state::approval_key;
use self::roundtrip::{Answer, Round, RoundHandle};
use crate::input::{self, Ask};

use crate::message::rmcp::{
    request_into_rmcp, request_to_rmcp, response_from_rmcp, response_to_rmcp,
    tool_results_from_rmcp, tool_results_to_rmcp,
};
use crate::message::{LlmRequest, LlmResponse, ToolResult};
use crate::sampling::sampler::{HandlerMode, Sampler};
use crate::{HandlerContext, SampleError, SampleErrorKind, SamplingHandler, Side};

/// The first protocol version without server-initiated requests (SEP-2322 multi round-trip).
const MODERN_ERA: &str = "2026-07-28";

/// What the server knows of the client, as plain data so the decision can be tested as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientView {
    /// The client declared `sampling`.
    pub sampling: bool,
    /// The client declared `sampling.tools`.
    pub sampling_tools: bool,
    /// The connection speaks 2026-07-28 or later: no server-initiated requests.
    pub modern: bool,
    /// The tool body runs under `Sampler::reply` with a `SamplingContext`, so a sampling call
    /// can suspend it (multi round-trip).
    pub can_suspend: bool,
}

impl ClientView {
    pub(crate) fn of(ctx: &RequestContext<RoleServer>) -> Self {
        let capabilities = ctx.client_capabilities();
        let sampling = capabilities.as_ref().and_then(|c| c.sampling.as_ref());
        Self {
            sampling: sampling.is_some(),
            sampling_tools: sampling.is_some_and(|s| s.tools.is_some()),
            modern: ctx
                .protocol_version()
                .is_some_and(|v| v.as_str() >= MODERN_ERA),
            can_suspend: round_of(ctx).is_some_and(|round| round.is_open()),
        }
    }
}

/// The multi round-trip round of the tool call `ctx` belongs to, when it has one.
pub(crate) fn round_of(ctx: &RequestContext<RoleServer>) -> Option<&Arc<Round>> {
    ctx.extensions.get::<RoundHandle>().map(|handle| &handle.0)
}

/// Where the requests of one loop go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The client's LLM; on a client error, the handler too when `decline_fallback`.
    Client { decline_fallback: bool },
    /// The client's LLM through multi round-trip input requests (2026-07-28).
    RoundTrip,
    /// The server-side handler.
    Handler,
}

/// Decides the channel of a loop. `client` is `None` outside an MCP request.
pub(crate) fn decide(
    mode: HandlerMode,
    has_handler: bool,
    fallback_on_decline: bool,
    client: Option<ClientView>,
    tools_offered: bool,
) -> Result<Decision, SampleErrorKind> {
    if mode == HandlerMode::Always {
        return if has_handler {
            Ok(Decision::Handler)
        } else {
            Err(SampleErrorKind::Configuration(
                "`always` needs a sampling handler: use `Sampler::with_handler(..).always()`"
                    .into(),
            ))
        };
    }
    let client_error = match client {
        None => SampleErrorKind::Configuration(
            "a standalone sampling call (outside an MCP request) needs a sampling handler".into(),
        ),
        Some(view) if !view.sampling => SampleErrorKind::ClientDoesNotSupportSampling,
        Some(view) if tools_offered && !view.sampling_tools => {
            SampleErrorKind::ClientDoesNotSupportSamplingTools
        }
        Some(view) if view.modern && view.can_suspend => return Ok(Decision::RoundTrip),
        // The push channel does not exist on 2026-07-28: only a suspendable body reaches the
        // client's LLM there.
        Some(view) if view.modern => SampleErrorKind::Configuration(
            "the client speaks protocol 2026-07-28, where the server cannot send it sampling \
             requests: take a `SamplingContext` in the tool (before `Parameters`), run the body \
             in `sampler.reply(&ctx, async { .. })` and return its `ToolReply`, so sampling goes \
             through multi round-trip input requests; or configure a sampling handler"
                .into(),
        ),
        Some(_) => {
            return Ok(Decision::Client {
                decline_fallback: fallback_on_decline && has_handler,
            });
        }
    };
    if has_handler {
        Ok(Decision::Handler)
    } else {
        Err(client_error)
    }
}

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
        sampler: &'a Sampler,
        ctx: Option<&'a RequestContext<RoleServer>>,
        tools_offered: bool,
        extra_cancellation: Option<&CancellationToken>,
    ) -> Result<Self, SampleErrorKind> {
        let (cancellation, unlink) = linked_cancellation(ctx.map(|c| &c.ct), extra_cancellation);
        let decision = decide(
            sampler.mode(),
            sampler.handler().is_some(),
            sampler.falls_back_on_decline(),
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
            handler: sampler.handler().map(|h| &**h),
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
            return input::await_inputs(ctx, None, unkeyed, &self.cancellation, limit, || {}).await;
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
        input::await_inputs(
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

/// One request pushed to the client (protocol 2025-11-25 and earlier), stopped by
/// `cancellation` or `stop`; when it is stopped before its answer, the client is sent
/// `notifications/cancelled`.
pub(crate) async fn push(
    peer: &Peer<RoleServer>,
    request: ServerRequest,
    cancellation: &CancellationToken,
    stop: &Stop,
) -> Result<ClientResult, SampleErrorKind> {
    let mut handle = tokio::select! {
        biased;
        reason = stopped(cancellation, stop) => return Err(reason),
        sent = peer.send_request_with_option(request, PeerRequestOptions::no_options()) => {
            sent.map_err(SampleErrorKind::Client)?
        }
    };
    let mut outstanding = Outstanding::new(peer, handle.id.clone());
    let answer = tokio::select! {
        biased;
        reason = stopped(cancellation, stop) => {
            outstanding.cancel(&reason).await;
            return Err(reason);
        }
        answer = &mut handle.rx => answer,
    };
    outstanding.answered();
    match answer {
        Err(_) => Err(SampleErrorKind::Client(rmcp::ServiceError::TransportClosed)),
        Ok(Err(error)) => Err(SampleErrorKind::Client(error)),
        Ok(Ok(result)) => Ok(result),
    }
}

/// Resolves when a call must stop, with the reason.
async fn stopped(cancellation: &CancellationToken, stop: &Stop) -> SampleErrorKind {
    let expired = async {
        match stop.at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        () = cancellation.cancelled() => SampleErrorKind::Cancelled,
        () = expired => stop.reason(),
    }
}

/// The time limits of one LLM call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallLimit {
    /// The time limit of the request.
    pub timeout: Duration,
    /// The loop's deadline.
    pub deadline: Option<Instant>,
}

impl CallLimit {
    pub(crate) fn stop_at(self) -> Stop {
        let timeout_at = Instant::now().checked_add(self.timeout);
        let (at, by_deadline) = match (timeout_at, self.deadline) {
            (Some(t), Some(d)) if d <= t => (Some(d), true),
            (None, Some(d)) => (Some(d), true),
            (t, _) => (t, false),
        };
        Stop {
            at,
            by_deadline,
            timeout: self.timeout,
        }
    }
}

/// When a call stops waiting, and why.
pub(crate) struct Stop {
    at: Option<Instant>,
    by_deadline: bool,
    timeout: Duration,
}

impl Stop {
    fn reason(&self) -> SampleErrorKind {
        if self.by_deadline {
            SampleErrorKind::DeadlineExceeded
        } else {
            SampleErrorKind::LlmTimeout(self.timeout)
        }
    }
}

/// A request sent to the client and not answered yet. Unless it is answered or cancelled
/// explicitly, dropping it (the loop's future dropped mid-request) still sends the client
/// `notifications/cancelled`, from a task.
struct Outstanding {
    peer: Option<Peer<RoleServer>>,
    id: RequestId,
}

/// How long telling the client that a request is cancelled may take.
const CANCEL_NOTICE_TIMEOUT: Duration = Duration::from_secs(5);

impl Outstanding {
    fn new(peer: &Peer<RoleServer>, id: RequestId) -> Self {
        Self {
            peer: Some(peer.clone()),
            id,
        }
    }

    fn answered(&mut self) {
        self.peer = None;
    }

    async fn cancel(&mut self, reason: &SampleErrorKind) {
        if let Some(peer) = self.peer.take() {
            let reason = SampleError::new(reason_copy(reason)).to_string();
            notify_cancelled(peer, self.id.clone(), reason).await;
        }
    }
}

impl Drop for Outstanding {
    fn drop(&mut self) {
        if let Some(peer) = self.peer.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let reason = "the sampling loop stopped before this request was answered".to_owned();
            runtime.spawn(notify_cancelled(peer, self.id.clone(), reason));
        }
    }
}

async fn notify_cancelled(peer: Peer<RoleServer>, id: RequestId, reason: String) {
    let notice = peer.notify_cancelled(CancelledNotificationParam::new(Some(id), Some(reason)));
    match tokio::time::timeout(CANCEL_NOTICE_TIMEOUT, notice).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%error, "could not cancel a sampling request"),
        Err(_) => tracing::debug!("cancelling a sampling request took too long; given up"),
    }
}

/// The stop reasons again, for the notice (the kinds are not `Clone`).
fn reason_copy(reason: &SampleErrorKind) -> SampleErrorKind {
    match reason {
        SampleErrorKind::LlmTimeout(limit) => SampleErrorKind::LlmTimeout(*limit),
        SampleErrorKind::DeadlineExceeded => SampleErrorKind::DeadlineExceeded,
        _ => SampleErrorKind::Cancelled,
    }
}

/// One token cancelled when either of the given ones is. Linking two needs a task; dropping
/// the returned guard (with the loop) ends it.
fn linked_cancellation(
    a: Option<&CancellationToken>,
    b: Option<&CancellationToken>,
) -> (CancellationToken, Option<DropGuard>) {
    match (a, b) {
        (Some(a), None) => (a.clone(), None),
        (None, Some(b)) => (b.clone(), None),
        (None, None) => (CancellationToken::new(), None),
        (Some(a), Some(b)) => {
            let linked = a.child_token();
            let (b, child) = (b.clone(), linked.clone());
            tokio::spawn(async move {
                tokio::select! {
                    () = b.cancelled() => child.cancel(),
                    () = child.cancelled() => {}
                }
            });
            (linked.clone(), Some(linked.drop_guard()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: ClientView = ClientView {
        sampling: true,
        sampling_tools: true,
        modern: false,
        can_suspend: false,
    };
    const NO_TOOLS: ClientView = ClientView {
        sampling: true,
        sampling_tools: false,
        modern: false,
        can_suspend: false,
    };
    const NONE: ClientView = ClientView {
        sampling: false,
        sampling_tools: false,
        modern: false,
        can_suspend: false,
    };
    const MODERN: ClientView = ClientView {
        sampling: true,
        sampling_tools: true,
        modern: true,
        can_suspend: false,
    };
    const ROUND_TRIP: ClientView = ClientView {
        can_suspend: true,
        ..MODERN
    };
    const ROUND_TRIP_NO_TOOLS: ClientView = ClientView {
        sampling_tools: false,
        ..ROUND_TRIP
    };
    const ROUND_TRIP_NONE: ClientView = ClientView {
        sampling: false,
        sampling_tools: false,
        ..ROUND_TRIP
    };

    fn show(result: Result<Decision, SampleErrorKind>) -> String {
        match result {
            Ok(Decision::Client {
                decline_fallback: true,
            }) => "client+decline".into(),
            Ok(Decision::Client { .. }) => "client".into(),
            Ok(Decision::Handler) => "handler".into(),
            Ok(Decision::RoundTrip) => "round-trip".into(),
            Err(SampleErrorKind::ClientDoesNotSupportSampling) => "err:no-sampling".into(),
            Err(SampleErrorKind::ClientDoesNotSupportSamplingTools) => "err:no-tools".into(),
            Err(SampleErrorKind::Configuration(_)) => "err:config".into(),
            Err(other) => format!("err:{other:?}"),
        }
    }

    #[test]
    fn decision_table() {
        use HandlerMode::{Always, Fallback};
        // mode, handler, on-decline, client, tools offered => decision
        type Row = (
            HandlerMode,
            bool,
            bool,
            Option<ClientView>,
            bool,
            &'static str,
        );
        let table: &[Row] = &[
            (Always, false, false, Some(FULL), false, "err:config"),
            (Always, true, false, Some(FULL), true, "handler"),
            (Always, true, false, Some(NONE), true, "handler"),
            (Always, true, false, None, false, "handler"),
            (Fallback, false, false, Some(FULL), true, "client"),
            (Fallback, true, false, Some(FULL), true, "client"),
            (Fallback, true, true, Some(FULL), true, "client+decline"),
            (Fallback, false, true, Some(FULL), true, "client"),
            (Fallback, true, false, Some(NO_TOOLS), false, "client"),
            (Fallback, true, false, Some(NO_TOOLS), true, "handler"),
            (Fallback, false, false, Some(NO_TOOLS), true, "err:no-tools"),
            (Fallback, true, false, Some(NONE), false, "handler"),
            (Fallback, false, false, Some(NONE), false, "err:no-sampling"),
            (Fallback, false, false, Some(NONE), true, "err:no-sampling"),
            (Fallback, true, false, Some(MODERN), true, "handler"),
            (Fallback, false, false, Some(MODERN), true, "err:config"),
            (Fallback, false, false, Some(ROUND_TRIP), true, "round-trip"),
            (Fallback, true, true, Some(ROUND_TRIP), true, "round-trip"),
            (Always, true, false, Some(ROUND_TRIP), true, "handler"),
            (
                Fallback,
                false,
                false,
                Some(ROUND_TRIP_NO_TOOLS),
                false,
                "round-trip",
            ),
            (
                Fallback,
                false,
                false,
                Some(ROUND_TRIP_NO_TOOLS),
                true,
                "err:no-tools",
            ),
            (
                Fallback,
                true,
                false,
                Some(ROUND_TRIP_NO_TOOLS),
                true,
                "handler",
            ),
            (
                Fallback,
                false,
                false,
                Some(ROUND_TRIP_NONE),
                false,
                "err:no-sampling",
            ),
            (
                Fallback,
                true,
                false,
                Some(ROUND_TRIP_NONE),
                false,
                "handler",
            ),
            (Fallback, true, false, None, true, "handler"),
            (Fallback, false, false, None, true, "err:config"),
        ];
        for (i, &(mode, handler, decline, client, tools, want)) in table.iter().enumerate() {
            let got = show(decide(mode, handler, decline, client, tools));
            assert_eq!(
                got, want,
                "row {i}: {mode:?} handler={handler} decline={decline} client={client:?} tools={tools}"
            );
        }
    }

    #[tokio::test]
    async fn an_extra_token_is_linked_for_the_loops_lifetime_only() {
        let (request, extra) = (CancellationToken::new(), CancellationToken::new());
        let (linked, guard) = linked_cancellation(Some(&request), Some(&extra));
        extra.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(10), linked.cancelled())
            .await
            .expect("cancelling the extra token cancels the loop");
        assert!(
            !request.is_cancelled(),
            "the MCP request's token is left alone"
        );
        drop(guard);

        let (request, extra) = (CancellationToken::new(), CancellationToken::new());
        let (linked, guard) = linked_cancellation(Some(&request), Some(&extra));
        request.cancel();
        assert!(linked.is_cancelled());
        drop(guard);
        let (linked, guard) = linked_cancellation(None, Some(&extra));
        assert!(guard.is_none() && !linked.is_cancelled());
    }
}
