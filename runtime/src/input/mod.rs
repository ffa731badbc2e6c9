//! What a tool body awaits from the client besides its LLM: the user's answer to a form or a
//! link (elicitation), the client's roots, and the user's approval before a sampling tool runs.
//!
//! One mechanism serves them all, the one sampling uses: before protocol 2026-07-28 each is a
//! request pushed to the client through rmcp's peer (stopped by the loop's cancellation and a
//! time limit); from 2026-07-28 each is an input request of the current round, keyed by its
//! place in the body, answered in the next round and replayed from the sealed journal in every
//! round after that. Inputs awaited together go out in one round. Each request is checked
//! against the capabilities the client declared (with each request on 2026-07-28), and every
//! answer is checked before the body sees it.

// Roots are deprecated by SEP-2577 like sampling; they remain in the protocol.
#![allow(deprecated)]

mod approval;
mod form;

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{
    ClientCapabilities, ClientResult, ElicitRequest, ElicitRequestParams, ElicitResult,
    ElicitationAction, InputRequest, ListRootsRequest, ListRootsResult, Request, Root,
    ServerRequest,
};
use rmcp::service::RequestContext;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use self::approval::NoElicitation;
pub(crate) use self::approval::{Approvals, gate, with_refusals};

use crate::channel::roundtrip::Round;
use crate::channel::roundtrip::state::body_input_key;
use crate::channel::{CallLimit, ClientView, push};
use crate::{SampleError, SampleErrorKind, SamplingContext};

/// How long the user may take to answer an elicitation (or the client to list its roots) on
/// protocol 2025-11-25, where the server waits on an open request. On 2026-07-28 nothing
/// waits: the request goes out with the round, and the round's `requestState` expires instead.
pub const DEFAULT_INPUT_TIMEOUT: Duration = Duration::from_secs(600);

/// The user's answer to an elicitation: the three actions of the protocol, for the author to
/// match on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Elicitation<T> {
    /// The user accepted and gave this content (checked against the requested schema).
    Accept(T),
    /// The user explicitly declined.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

impl<T> Elicitation<T> {
    /// The accepted content, if the user accepted.
    pub fn accepted(self) -> Option<T> {
        match self {
            Self::Accept(value) => Some(value),
            Self::Decline | Self::Cancel => None,
        }
    }
}

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
    fn capability(&self) -> &'static str {
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

fn parse_elicit_result(answer: &Value) -> Result<ElicitResult, String> {
    serde_path_to_error::deserialize(answer)
        .map_err(|e| format!("not an elicitation result: at {}: {}", e.path(), e.inner()))
}

fn parse_roots(answer: &Value) -> Result<Vec<Root>, String> {
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

impl SamplingContext {
    /// Asks the user to fill in a form typed by `T` (`elicitation/create`, form mode), and
    /// waits for the answer: on protocol 2026-07-28 through the round (use it inside
    /// [`Sampler::reply`](crate::Sampler::reply)), before that as a request to the client.
    ///
    /// `T` is any `Deserialize + JsonSchema` type (a `#[structured_result]` struct, say) whose
    /// schema fits what elicitation allows: a flat object whose properties are strings,
    /// numbers, integers, booleans or enums of strings (`Option` fields are optional). Any
    /// other shape fails with [`SampleErrorKind::Configuration`] naming the property.
    /// Accepted content is checked against the schema before it is decoded: content that does
    /// not match fails with [`SampleErrorKind::InvalidInput`]. A client that did not declare
    /// `elicitation` fails with [`SampleErrorKind::MissingCapability`].
    pub async fn elicit<T>(&self, message: impl Into<String>) -> Result<Elicitation<T>, SampleError>
    where
        T: DeserializeOwned + JsonSchema + 'static,
    {
        self.elicit_as(None, message.into()).await
    }

    /// Asks the user to visit `url` (`elicitation/create`, URL mode: for what must not pass
    /// through the client, such as credentials or a payment), and waits until they accept,
    /// decline or cancel. Needs the client's `elicitation.url` capability.
    pub async fn elicit_url(
        &self,
        message: impl Into<String>,
        url: impl Into<String>,
    ) -> Result<Elicitation<()>, SampleError> {
        self.elicit_url_as(None, message.into(), url.into()).await
    }

    /// The client's roots (`roots/list`): the directories or files it lets the server work
    /// in. Needs the client's `roots` capability.
    pub async fn roots(&self) -> Result<Vec<Root>, SampleError> {
        self.roots_as(None).await
    }

    /// The same requests under an input key of the author's choosing instead of the one
    /// numbered by start order (`input-0`, `input-1`, ...): for clients or tests that look
    /// for a key by name. A key must be unique in the body and must not start with
    /// `sampling-`, `approval-` or `input-` (the loop's own keys).
    pub fn named(&self, key: impl Into<String>) -> NamedInput<'_> {
        NamedInput {
            ctx: self,
            key: key.into(),
        }
    }

    async fn elicit_as<T>(
        &self,
        key: Option<String>,
        message: String,
    ) -> Result<Elicitation<T>, SampleError>
    where
        T: DeserializeOwned + JsonSchema + 'static,
    {
        let form = form::Form::of::<T>().map_err(SampleErrorKind::Configuration)?;
        let ask = Ask::Elicit(Box::new(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema: form.requested_schema().clone(),
        }));
        let answer = parse_elicit_result(&self.await_input(key, ask).await?)
            .map_err(SampleErrorKind::InvalidInput)?;
        Ok(match answer.action {
            ElicitationAction::Accept => Elicitation::Accept(
                form.decode::<T>(answer.content.unwrap_or(Value::Null))
                    .map_err(SampleErrorKind::InvalidInput)?,
            ),
            ElicitationAction::Decline => Elicitation::Decline,
            _ => Elicitation::Cancel,
        })
    }

    async fn elicit_url_as(
        &self,
        key: Option<String>,
        message: String,
        url: String,
    ) -> Result<Elicitation<()>, SampleError> {
        // Protocol 2026-07-28 dropped the id (the input key names the request); before, it
        // lets the client match the completion notification.
        let elicitation_id = if ClientView::of(self).modern {
            String::new()
        } else {
            random_id()
        };
        let ask = Ask::Elicit(Box::new(ElicitRequestParams::UrlElicitationParams {
            meta: None,
            message,
            url,
            elicitation_id,
        }));
        let answer = parse_elicit_result(&self.await_input(key, ask).await?)
            .map_err(SampleErrorKind::InvalidInput)?;
        Ok(match answer.action {
            ElicitationAction::Accept => Elicitation::Accept(()),
            ElicitationAction::Decline => Elicitation::Decline,
            _ => Elicitation::Cancel,
        })
    }

    async fn roots_as(&self, key: Option<String>) -> Result<Vec<Root>, SampleError> {
        let answer = self.await_input(key, Ask::Roots).await?;
        Ok(parse_roots(&answer).map_err(SampleErrorKind::InvalidInput)?)
    }

    /// One input the body awaits, through the round on 2026-07-28, pushed before.
    async fn await_input(&self, key: Option<String>, ask: Ask) -> Result<Value, SampleErrorKind> {
        if let Some(key) = &key
            && ["sampling-", "approval-", "input-"]
                .iter()
                .any(|prefix| key.starts_with(prefix))
        {
            return Err(SampleErrorKind::Configuration(format!(
                "the input key {key:?} starts like the loop's own keys (`sampling-`, \
                 `approval-`, `input-`): choose another"
            )));
        }
        if !ask.supported_by(self.client_capabilities().as_ref()) {
            return Err(SampleErrorKind::MissingCapability(ask.capability()));
        }
        let round = if ClientView::of(self).modern {
            let round = self.round();
            if !round.is_open() {
                return Err(SampleErrorKind::Configuration(
                    "on protocol 2026-07-28 an elicitation or roots request suspends the tool \
                     call: await it inside `sampler.reply(&ctx, async { .. })`"
                        .into(),
                ));
            }
            Some(round)
        } else {
            None
        };
        let key = key.unwrap_or_else(|| body_input_key(round.map_or(0, Round::begin_body_input)));
        let limit = CallLimit {
            timeout: DEFAULT_INPUT_TIMEOUT,
            deadline: None,
        };
        let mut answers =
            await_inputs(self, round, vec![(key, ask)], &self.ct, limit, || {}).await?;
        answers
            .pop()
            .ok_or_else(|| SampleErrorKind::InvalidInput("the client's answer is missing".into()))
    }
}

/// Requests a tool body awaits under a key it chose: see [`SamplingContext::named`].
#[derive(Debug)]
#[must_use = "a named input does nothing until it is awaited"]
pub struct NamedInput<'c> {
    ctx: &'c SamplingContext,
    key: String,
}

impl NamedInput<'_> {
    /// [`SamplingContext::elicit`] under this key.
    pub async fn elicit<T>(self, message: impl Into<String>) -> Result<Elicitation<T>, SampleError>
    where
        T: DeserializeOwned + JsonSchema + 'static,
    {
        self.ctx.elicit_as(Some(self.key), message.into()).await
    }

    /// [`SamplingContext::elicit_url`] under this key.
    pub async fn elicit_url(
        self,
        message: impl Into<String>,
        url: impl Into<String>,
    ) -> Result<Elicitation<()>, SampleError> {
        self.ctx
            .elicit_url_as(Some(self.key), message.into(), url.into())
            .await
    }

    /// [`SamplingContext::roots`] under this key.
    pub async fn roots(self) -> Result<Vec<Root>, SampleError> {
        self.ctx.roots_as(Some(self.key)).await
    }
}

/// A random identifier for a URL elicitation (protocol 2025-11-25).
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the id is still unique enough for one connection's notifications.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
