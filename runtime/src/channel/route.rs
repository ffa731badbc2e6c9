//! Which channel a loop's requests go to: the client's LLM pushed (2025-11-25), the client's
//! LLM through multi round-trip input requests (2026-07-28), or a server-side handler.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::channel::roundtrip::{Round, RoundHandle};
use crate::error::SampleErrorKind;
use crate::handler::{HandlerMode, SamplingHandler};

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

/// What the server configured for a loop's LLM: its handler and when the handler answers.
#[derive(Clone, Copy)]
pub(crate) struct Route<'a> {
    pub mode: HandlerMode,
    pub handler: Option<&'a dyn SamplingHandler>,
    /// Whether a client that declines a request is retried on the handler.
    pub fallback_on_decline: bool,
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
}
