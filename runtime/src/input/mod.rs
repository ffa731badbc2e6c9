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

use rmcp::model::{ElicitRequestParams, ElicitationAction, Root};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use self::approval::NoElicitation;
pub(crate) use self::approval::{Approvals, gate, with_refusals};

use crate::channel::ask::{Ask, await_inputs, parse_elicit_result, parse_roots};
use crate::channel::push::CallLimit;
use crate::channel::roundtrip::state::body_input_key;
use crate::channel::roundtrip::{Round, SamplingContext};
use crate::channel::route::ClientView;
use crate::error::{SampleError, SampleErrorKind};

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
