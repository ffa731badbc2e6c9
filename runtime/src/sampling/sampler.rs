//! Server-wide sampling configuration: which LLM answers, and when.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use rmcp::model::RequestStateCodec;

use crate::channel::roundtrip::state::RoundTripConfig;
use crate::channel::roundtrip::{self, ReplyError, SamplingContext, ToolReply};
use crate::channel::route::Route;
use crate::handler::{HandlerMode, SamplingHandler};
use crate::limits::DEFAULT_LLM_TIMEOUT;
use crate::message::ModelHints;
use crate::sampling::request::{Deadline, Options, SampleRequest};

/// How a server samples: the client's LLM, a server-side [`SamplingHandler`], or both.
///
/// Configure it once per server (keep it in the server struct) and start each sampling call
/// with [`Sampler::on`] inside a tool:
///
/// ```
/// use rmcp_sampling::handler::HandlerMode;
/// use rmcp_sampling::{HandlerContext, HandlerError, LlmRequest, Sampler};
///
/// // The client's LLM only.
/// let client_only = Sampler::new();
/// // The client's LLM when it can, this handler otherwise; and when the client declines.
/// let handler = |_: LlmRequest, _: HandlerContext| async {
///     Ok::<_, HandlerError>("from the server's own model")
/// };
/// let with_fallback = Sampler::with_handler(handler).fallback_on_decline(true);
/// assert_eq!(with_fallback.mode(), HandlerMode::Fallback);
/// ```
#[derive(Clone)]
pub struct Sampler {
    handler: Option<Arc<dyn SamplingHandler>>,
    mode: HandlerMode,
    fallback_on_decline: bool,
    round_trip: RoundTripConfig,
    llm_timeout: Duration,
    /// What every call starts from; a call's own settings override them.
    defaults: Options,
}

impl Default for Sampler {
    fn default() -> Self {
        Self {
            handler: None,
            mode: HandlerMode::default(),
            fallback_on_decline: false,
            round_trip: RoundTripConfig::default(),
            llm_timeout: DEFAULT_LLM_TIMEOUT,
            defaults: Options::default(),
        }
    }
}

impl fmt::Debug for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampler")
            .field(
                "handler",
                &self.handler.as_ref().map(|_| "dyn SamplingHandler"),
            )
            .field("mode", &self.mode)
            .field("fallback_on_decline", &self.fallback_on_decline)
            .field(
                "state_key",
                &if self.round_trip.codec.is_some() {
                    "configured"
                } else {
                    "random, this process only"
                },
            )
            .field("state_ttl", &self.round_trip.ttl)
            .field("max_state_bytes", &self.round_trip.max_state_bytes)
            .field("round_budget", &self.round_trip.round_budget)
            .field("llm_timeout", &self.llm_timeout)
            .field("defaults", &self.defaults)
            .finish()
    }
}

impl Sampler {
    /// Samples through the client's LLM only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Samples through the client's LLM when it can, else through `handler`
    /// ([`HandlerMode::Fallback`]; see [`Sampler::always`]).
    pub fn with_handler(handler: impl SamplingHandler) -> Self {
        Self::with_shared_handler(Arc::new(handler))
    }

    /// Like [`Sampler::with_handler`], for a handler already behind an `Arc`.
    pub fn with_shared_handler(handler: Arc<dyn SamplingHandler>) -> Self {
        Self {
            handler: Some(handler),
            ..Self::default()
        }
    }

    /// Always samples through the handler.
    pub fn always(self) -> Self {
        self.with_mode(HandlerMode::Always)
    }

    /// Samples through the client when it can, else the handler (the default).
    pub fn fallback(self) -> Self {
        self.with_mode(HandlerMode::Fallback)
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: HandlerMode) -> Self {
        self.mode = mode;
        self
    }

    /// In fallback mode, when the client answers a sampling request with an error (a user
    /// declined, no model is selected), retries that step on the handler instead of failing.
    pub fn fallback_on_decline(mut self, yes: bool) -> Self {
        self.fallback_on_decline = yes;
        self
    }

    /// The time limit of each LLM request of its loops (default [`DEFAULT_LLM_TIMEOUT`], 5
    /// minutes; a call can set its own with [`SampleRequest::llm_timeout`]). A request not
    /// answered in time ends the loop with an error, and the client is sent
    /// `notifications/cancelled` for it.
    pub fn llm_timeout(mut self, timeout: Duration) -> Self {
        self.llm_timeout = timeout;
        self
    }

    /// The time limit of each LLM request.
    pub fn llm_time_limit(&self) -> Duration {
        self.llm_timeout
    }

    /// The system prompt of every call (a call's own
    /// [`system_prompt`](SampleRequest::system_prompt) replaces it).
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.defaults.system_prompt = Some(prompt.into());
        self
    }

    /// The `max_tokens` of every LLM request (default [`DEFAULT_MAX_TOKENS`](crate::limits::DEFAULT_MAX_TOKENS);
    /// a call can set its own).
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.defaults.max_tokens = max_tokens;
        self
    }

    /// The temperature of every call (a call can set its own).
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.defaults.temperature = Some(temperature);
        self
    }

    /// The model preferences of every call: one hint name, a list of names, or full
    /// [`ModelPreferences`](crate::message::ModelPreferences) (a call can set its own).
    pub fn model_preferences(mut self, preferences: impl Into<ModelHints>) -> Self {
        self.defaults.model_preferences = Some(preferences.into().0);
        self
    }

    /// Whether every call masks the details of tool failures (see
    /// [`SampleRequest::mask_error_details`]; a call can set its own).
    pub fn mask_error_details(mut self, mask: bool) -> Self {
        self.defaults.mask_error_details = mask;
        self
    }

    /// The time limit of each tool call in every loop (a call can set its own with
    /// [`SampleRequest::tool_timeout`]).
    pub fn tool_timeout(mut self, timeout: Duration) -> Self {
        self.defaults.tool_timeout = Some(timeout);
        self
    }

    /// The time every loop may take, counted from its start (see
    /// [`SampleRequest::time_budget`]; a call can set its own budget or
    /// [`deadline`](SampleRequest::deadline)).
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.defaults.deadline = Some(Deadline::After(budget));
        self
    }

    /// The most LLM requests in every loop (default
    /// [`DEFAULT_MAX_ITERATIONS`](crate::limits::DEFAULT_MAX_ITERATIONS); 0 makes every loop fail with a
    /// configuration error; a call can set its own).
    pub fn max_iterations(mut self, max: u32) -> Self {
        self.defaults.max_iterations = max;
        self
    }

    /// What every typed loop does with a `final_response` sent in the same reply as calls to
    /// other tools (default [`FinalResponseWithTools::SetAside`](crate::control::FinalResponseWithTools::SetAside);
    /// a call can set its own with [`SampleRequest::on_final_response_with_tools`]).
    pub fn on_final_response_with_tools(
        mut self,
        what: crate::control::FinalResponseWithTools,
    ) -> Self {
        self.defaults.final_response_with_tools = what;
        self
    }

    /// What every call starts from.
    pub(crate) fn defaults(&self) -> &Options {
        &self.defaults
    }

    /// The mode.
    pub fn mode(&self) -> HandlerMode {
        self.mode
    }

    /// The handler, if one is configured.
    pub fn handler(&self) -> Option<&Arc<dyn SamplingHandler>> {
        self.handler.as_ref()
    }

    /// Seals multi round-trip state (protocol 2026-07-28) with this codec: rmcp's HMAC-SHA256
    /// `RequestStateCodec`, whose keyring rotates keys (seal with the active key, open with any
    /// key still in the ring). The codec seals a BLAKE3 digest of the state's journal, which
    /// travels beside it in base64url. Give every replica of the server the same keyring and any of
    /// them resumes any suspended tool call: nothing is kept in memory between rounds.
    ///
    /// Without a codec, a random key is made once per process: suspended calls resume only in
    /// the process that suspended them (fine for stdio and single-process servers).
    ///
    /// ```
    /// use rmcp_sampling::Sampler;
    /// use rmcp_sampling::rmcp::model::RequestStateCodec;
    ///
    /// let keyring = RequestStateCodec::new_with_keyring(
    ///     "2026-11",
    ///     [("2026-11", vec![7u8; 32]), ("2026-10", vec![6u8; 32])],
    /// )
    /// .expect("keys of 32 bytes or more");
    /// let sampler = Sampler::new().state_codec(keyring);
    /// # let _ = sampler;
    /// ```
    pub fn state_codec(mut self, codec: RequestStateCodec) -> Self {
        self.round_trip.codec = Some(Arc::new(codec));
        self
    }

    /// How long a sealed multi round-trip state stays valid (default 600 s, as in the Python
    /// and TypeScript SDKs). A client that answers later gets `-32602` and must start over.
    pub fn state_ttl(mut self, ttl: Duration) -> Self {
        self.round_trip.ttl = ttl;
        self
    }

    /// The largest sealed multi round-trip state sent or accepted, in bytes (default
    /// [`DEFAULT_MAX_STATE_BYTES`](crate::limits::DEFAULT_MAX_STATE_BYTES), 10.7 MiB: a loop
    /// within the default history limit fits). A loop whose state would grow past it fails
    /// with [`SampleErrorKind::StateTooLarge`](crate::SampleErrorKind::StateTooLarge), history
    /// kept; a larger state from a client is refused before it is decoded.
    ///
    /// The state travels in the same message as the request for the client's LLM, which holds
    /// the history: over stdio, rmcp's transports drop messages over 16 MiB. Journals over 256
    /// KiB are deflated, so this matters only for a loop near the history limit whose tool
    /// results do not compress (images): lower `max_history_bytes` for those.
    pub fn max_state_bytes(mut self, bytes: usize) -> Self {
        self.round_trip.max_state_bytes = bytes;
        self
    }

    /// How many `tools/call` rounds the client drives before giving up (default 10: rmcp, the
    /// Python SDK and the TypeScript SDK 2.x; the TypeScript shim for older clients drives 8).
    /// The LLM request asked in the last affordable round forces the answer
    /// (`final_response` only for a typed result, `toolChoice: none` for text), as the
    /// specification advises, instead of running out.
    pub fn round_budget(mut self, rounds: u32) -> Self {
        self.round_trip.round_budget = rounds.max(2);
        self
    }

    pub(crate) fn round_trip(&self) -> &RoundTripConfig {
        &self.round_trip
    }

    /// Where this sampler's loops send their requests, for the channel to decide.
    pub(crate) fn route(&self) -> Route<'_> {
        Route {
            mode: self.mode,
            handler: self.handler.as_deref(),
            fallback_on_decline: self.fallback_on_decline,
        }
    }

    /// Starts a sampling call inside an MCP request: the client is the one that sent `ctx`'s
    /// request; progress goes to its progress token; cancelling it stops the loop.
    pub fn on<'a>(&'a self, ctx: &'a RequestContext<RoleServer>) -> SampleRequest<'a> {
        SampleRequest::new(self, Some(ctx))
    }

    /// Starts a sampling call outside any MCP request (a background job, a test): only the
    /// handler can answer.
    pub fn standalone(&self) -> SampleRequest<'_> {
        SampleRequest::new(self, None)
    }

    /// Runs a tool body that samples, and turns its outcome into the tool's reply: on every
    /// protocol era, the same body.
    ///
    /// On protocol 2026-07-28 a sampling call that needs the client's LLM cannot send it a
    /// request; it suspends the body, and the tool answers with an `InputRequiredResult` that
    /// carries the request and the loop's sealed journal. The client retries the tool call
    /// with the LLM's answer, and the body runs again from the top: every sampling call replays
    /// what it already received (tools that ran are not run again) and goes on. So **code
    /// outside the sampling calls runs once per round**: keep side effects inside tools, or
    /// after the last sampling call. Sampling calls awaited together (`tokio::join!`) ask in
    /// the same round. What the body awaits from the user (`ctx.elicit`, `ctx.roots`, the
    /// approval of a sampling tool, see [`crate::input`]) suspends and replays the same way,
    /// and joins the same round when awaited together; the server's own handler's answers
    /// are journaled too, so a later round replays them instead of asking the model again.
    ///
    /// Nothing is kept between rounds, so a client that sends the same round twice (a network
    /// retry of the same `requestState` and answers) runs that round's tool calls twice: the
    /// state carries no single-use nonce. Tools with side effects should be idempotent, or keyed
    /// by the tool call's id.
    ///
    /// The body returns `Result<T, ReplyError>`, so `?` works on sampling calls and on the
    /// author's own errors alike (see [`ReplyError`]): a failed loop or any other error becomes
    /// an `isError` tool result carrying the reason, so the caller (and its LLM) can read it
    /// and react; a cancelled request and an rmcp `ErrorData` become JSON-RPC errors.
    ///
    /// A `requestState` that does not open (tampered, expired, for another tool, arguments or
    /// caller, too large) is refused with a JSON-RPC `-32602` error before the body runs, with
    /// the reason in the server's log. The check happens here, where the sampler's keys are
    /// known, not when rmcp extracts the [`SamplingContext`]: code of the tool function
    /// *before* `reply` runs even for a refused state, so keep it free of side effects (or
    /// move it into the body).
    pub async fn reply<T, F>(&self, ctx: &SamplingContext, body: F) -> ToolReply<T>
    where
        F: Future<Output = Result<T, ReplyError>>,
    {
        roundtrip::run(self.round_trip(), ctx, body).await
    }
}
