//! Server-wide sampling configuration: which LLM answers, and when.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::{DEFAULT_LLM_TIMEOUT, SampleRequest, SamplingHandler};

/// When a configured [`SamplingHandler`] answers instead of the client's LLM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HandlerMode {
    /// The client's LLM when it can serve the request (it declared `sampling`, and
    /// `sampling.tools` when tools are offered); the handler otherwise.
    #[default]
    Fallback,
    /// The handler, whatever the client supports.
    Always,
}

/// How a server samples: the client's LLM, a server-side [`SamplingHandler`], or both.
///
/// Configure it once per server (keep it in the server struct) and start each sampling call
/// with [`Sampler::on`] inside a tool:
///
/// ```
/// use rmcp_sampling::{HandlerContext, HandlerError, HandlerMode, Sampler};
/// use rmcp_sampling::rmcp::model::CreateMessageRequestParams;
///
/// // The client's LLM only.
/// let client_only = Sampler::new();
/// // The client's LLM when it can, this handler otherwise; and when the client declines.
/// let handler = |_: CreateMessageRequestParams, _: HandlerContext| async {
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
    llm_timeout: Duration,
}

impl Default for Sampler {
    fn default() -> Self {
        Self {
            handler: None,
            mode: HandlerMode::default(),
            fallback_on_decline: false,
            llm_timeout: DEFAULT_LLM_TIMEOUT,
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
            .field("llm_timeout", &self.llm_timeout)
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

    /// The mode.
    pub fn mode(&self) -> HandlerMode {
        self.mode
    }

    /// The handler, if one is configured.
    pub fn handler(&self) -> Option<&Arc<dyn SamplingHandler>> {
        self.handler.as_ref()
    }

    pub(crate) fn falls_back_on_decline(&self) -> bool {
        self.fallback_on_decline
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
}
