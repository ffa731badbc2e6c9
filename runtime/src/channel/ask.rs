//! What a tool body asks the client other than its LLM (elicitation, roots): the request, the
//! check of its answer, and the awaiting on both eras (pushed on 2025-11-25; on 2026-07-28
//! answered from the journal or asked in this round's input requests).

#![allow(deprecated)]

use rmcp::RoleServer;
use rmcp::model::{
    ClientCapabilities, ClientResult, ElicitRequest, ElicitRequestParams, ElicitResult,
    InputRequest, ListRootsRequest, ListRootsResult, Request, Root, ServerRequest,
};
use rmcp::service::RequestContext;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::channel::push::{CallLimit, push};
use crate::channel::roundtrip::Round;
use crate::error::SampleErrorKind;

/// One input a body awaits from the client, other than its LLM.
#[derive(Debug, Clone)]
pub(crate) enum Ask {
    /// `elicitation/create`, form or URL mode.
    Elicit(Box<ElicitRequestParams>),
    /// `roots/list`.
    Roots,
}

impl Ask {
    /// The capability the client must have declared.
    pub(crate) fn capability(&self) -> &'static str {
        match self {
            Self::Elicit(params) if is_url(params) => "elicitation.url",
            Self::Elicit(_) => "elicitation",
            Self::Roots => "roots",
        }
    }

    /// Whether the client declared what this request needs. An `elicitation: {}` without
    /// modes means form mode (as the protocol keeps it for older clients).
    pub(crate) fn supported_by(&self, capabilities: Option<&ClientCapabilities>) -> bool {
        let Some(capabilities) = capabilities else {
            return false;
        };
        let elicitation = capabilities.elicitation.as_ref();
        match self {
            Self::Elicit(params) if is_url(params) => elicitation.is_some_and(|e| e.url.is_some()),
            Self::Elicit(_) => elicitation.is_some_and(|e| e.form.is_some() || e.url.is_none()),
            Self::Roots => capabilities.roots.is_some(),
        }
    }

    fn input_request(&self) -> InputRequest {
        match self {
            Self::Elicit(params) => {
                InputRequest::Elicitation(ElicitRequest::new((**params).clone()))
            }
            Self::Roots => InputRequest::ListRoots(ListRootsRequest::default()),
        }
    }

    fn server_request(&self) -> ServerRequest {
        match self {
            Self::Elicit(params) => ServerRequest::ElicitRequest(Request::new((**params).clone())),
            Self::Roots => ServerRequest::ListRootsRequest(ListRootsRequest::default()),
        }
    }

    /// Checks the shape of the client's answer (content is checked by the typed caller).
    fn check(&self, answer: &Value) -> Result<(), String> {
        match self {
            Self::Elicit(_) => parse_elicit_result(answer).map(drop),
            Self::Roots => parse_roots(answer).map(drop),
        }
    }

    /// The client's answer to a pushed request, as the JSON an input response would carry.
    fn answer_of(&self, result: ClientResult) -> Result<Value, String> {
        match (self, result) {
            (Self::Elicit(_), ClientResult::ElicitResult(result)) => {
                serde_json::to_value(result).map_err(|e| e.to_string())
            }
            (Self::Roots, ClientResult::ListRootsResult(result)) => {
                serde_json::to_value(result).map_err(|e| e.to_string())
            }
            (_, ClientResult::CustomResult(custom)) => Ok(custom.0),
            (_, other) => Err(format!(
                "the client answered `{}` with another kind of result: {other:?}",
                self.capability()
            )),
        }
    }
}

fn is_url(params: &ElicitRequestParams) -> bool {
    matches!(params, ElicitRequestParams::UrlElicitationParams { .. })
}

pub(crate) fn parse_elicit_result(answer: &Value) -> Result<ElicitResult, String> {
    serde_path_to_error::deserialize(answer)
        .map_err(|e| format!("not an elicitation result: at {}: {}", e.path(), e.inner()))
}

pub(crate) fn parse_roots(answer: &Value) -> Result<Vec<Root>, String> {
    let result: ListRootsResult = serde_path_to_error::deserialize(answer)
        .map_err(|e| format!("not a roots list: at {}: {}", e.path(), e.inner()))?;
    Ok(result.roots)
}

/// Awaits every one of `asks` (key, request) together and returns the answers in their order.
///
/// With a `round` (protocol 2026-07-28 under `Sampler::reply`), each answer comes from the
/// journal or from this round's input responses; when any is missing, every missing one joins
/// this round's input requests, `on_wait` runs, and the future never resolves: the round ends
/// and the body is dropped. Without one, the requests are pushed to the client, all at once.
pub(crate) async fn await_inputs(
    ctx: &RequestContext<RoleServer>,
    round: Option<&Round>,
    asks: Vec<(String, Ask)>,
    cancellation: &CancellationToken,
    limit: CallLimit,
    on_wait: impl FnOnce(),
) -> Result<Vec<Value>, SampleErrorKind> {
    if let Some(round) = round {
        let mut answers = Vec::with_capacity(asks.len());
        let mut missing = false;
        for (key, ask) in &asks {
            match round.input(key, || ask.input_request(), |answer| ask.check(answer))? {
                Some(answer) => answers.push(answer),
                None => missing = true,
            }
        }
        if !missing {
            return Ok(answers);
        }
        on_wait();
        return std::future::pending().await;
    }
    let stop = limit.stop_at();
    let pushed = asks.iter().map(|(_, ask)| async {
        let result = push(&ctx.peer, ask.server_request(), cancellation, &stop)
            .await
            .map_err(|error| match error {
                SampleErrorKind::LlmTimeout(limit) => SampleErrorKind::InputTimeout(limit),
                other => other,
            })?;
        let answer = ask
            .answer_of(result)
            .map_err(SampleErrorKind::InvalidInput)?;
        ask.check(&answer).map_err(SampleErrorKind::InvalidInput)?;
        Ok(answer)
    });
    futures::future::try_join_all(pushed).await
}
