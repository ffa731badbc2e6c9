//! What a loop used and how the author steers it: usage per step and in total, usage limits,
//! output validators, a per-step hook and a stop condition.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::message::{Conversation, LlmRequest, StopReason, Usage};

/// What one LLM call of a loop used.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StepUsage {
    /// The step (1 for the first LLM call).
    pub step: u32,
    /// The model that answered, as the LLM reported it.
    pub model: String,
    /// Why it stopped.
    pub stop_reason: StopReason,
    /// The tokens it used; `None` when the LLM did not say (a client's LLM: MCP's
    /// `sampling/createMessage` result carries no usage).
    pub tokens: Option<Usage>,
    /// The tool calls of its response that ran.
    pub tool_calls: u32,
    /// How long the LLM call took.
    pub duration: Duration,
}

/// What a sampling loop used: LLM calls, tool calls and tokens, per step and in total. On
/// [`Sampled::usage`](crate::Sampled::usage) and [`SampleError::usage`](crate::SampleError::usage).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LoopUsage {
    /// LLM calls made.
    pub llm_calls: u32,
    /// Tool calls run (`final_response` not counted).
    pub tool_calls: u32,
    /// The tokens of the calls that reported usage, summed; `None` when none did (on the
    /// client channel, MCP carries no usage: nothing is made up).
    pub tokens: Option<Usage>,
    /// LLM calls whose usage is unknown.
    pub calls_without_usage: u32,
    /// Each LLM call, in order.
    pub steps: Vec<StepUsage>,
}

impl LoopUsage {
    /// Input tokens so far (0 when unknown).
    pub fn input_tokens(&self) -> u64 {
        self.tokens.map_or(0, |t| t.input_tokens)
    }

    /// Output tokens so far (0 when unknown).
    pub fn output_tokens(&self) -> u64 {
        self.tokens.map_or(0, |t| t.output_tokens)
    }

    /// Records one LLM call.
    pub(crate) fn record_call(
        &mut self,
        model: &str,
        stop_reason: &StopReason,
        tokens: Option<Usage>,
        duration: Duration,
    ) {
        self.llm_calls += 1;
        match tokens {
            Some(used) => {
                let total = self.tokens.get_or_insert_with(Usage::default);
                total.input_tokens = total.input_tokens.saturating_add(used.input_tokens);
                total.output_tokens = total.output_tokens.saturating_add(used.output_tokens);
                if let Some(cached) = used.cached_input_tokens {
                    let sum = total
                        .cached_input_tokens
                        .unwrap_or(0)
                        .saturating_add(cached);
                    total.cached_input_tokens = Some(sum);
                }
            }
            None => self.calls_without_usage += 1,
        }
        self.steps.push(StepUsage {
            step: self.llm_calls,
            model: model.to_owned(),
            stop_reason: stop_reason.clone(),
            tokens,
            tool_calls: 0,
            duration,
        });
    }

    /// Records tool calls run for the last LLM call.
    pub(crate) fn record_tool_calls(&mut self, count: usize) {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.tool_calls = self.tool_calls.saturating_add(count);
        if let Some(last) = self.steps.last_mut() {
            last.tool_calls = last.tool_calls.saturating_add(count);
        }
    }
}

impl fmt::Display for LoopUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} LLM call(s), {} tool call(s), ",
            self.llm_calls, self.tool_calls
        )?;
        match self.tokens {
            Some(tokens) => write!(
                f,
                "{} input and {} output tokens",
                tokens.input_tokens, tokens.output_tokens
            ),
            None => f.write_str("tokens unknown"),
        }
    }
}

/// Caps on what one sampling loop may use, checked as it runs (like Pydantic AI's
/// `UsageLimits`). Set them with [`SampleRequest::usage_limits`](crate::SampleRequest::usage_limits).
///
/// - `llm_calls`: the request that reaches the cap is the loop's last and asks for the final
///   answer (text: no tools; typed: only `final_response`), as `max_iterations` does.
/// - `tool_calls`: checked before each batch of tool calls runs. A batch that would pass the
///   cap does not run: each call gets an error result saying the budget is spent, and the
///   next request asks for the final answer.
/// - `input_tokens`, `output_tokens`: checked before each request against what the loop has
///   used so far; once one is reached no request is made (another would pass it) and the loop
///   fails with [`SampleErrorKind::UsageLimit`](crate::SampleErrorKind::UsageLimit), carrying
///   the history and the usage. Calls that report no usage (a client's LLM) count 0 tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageLimits {
    /// The most LLM calls.
    pub llm_calls: Option<u32>,
    /// The most tool calls.
    pub tool_calls: Option<u32>,
    /// The most input tokens, summed over the calls.
    pub input_tokens: Option<u64>,
    /// The most output tokens, summed over the calls.
    pub output_tokens: Option<u64>,
}

impl UsageLimits {
    /// No limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Caps LLM calls.
    pub fn llm_calls(mut self, max: u32) -> Self {
        self.llm_calls = Some(max);
        self
    }

    /// Caps tool calls.
    pub fn tool_calls(mut self, max: u32) -> Self {
        self.tool_calls = Some(max);
        self
    }

    /// Caps input tokens.
    pub fn input_tokens(mut self, max: u64) -> Self {
        self.input_tokens = Some(max);
        self
    }

    /// Caps output tokens.
    pub fn output_tokens(mut self, max: u64) -> Self {
        self.output_tokens = Some(max);
        self
    }

    /// The token limit `used` has reached, if any: its name and value.
    pub(crate) fn tokens_reached(&self, used: &LoopUsage) -> Option<(&'static str, u64)> {
        if let Some(max) = self.input_tokens
            && used.input_tokens() >= max
        {
            return Some(("input_tokens", max));
        }
        if let Some(max) = self.output_tokens
            && used.output_tokens() >= max
        {
            return Some(("output_tokens", max));
        }
        None
    }

    /// Whether a batch of `batch` tool calls fits in the tool-call limit.
    pub(crate) fn tool_calls_fit(&self, used: &LoopUsage, batch: usize) -> bool {
        self.tool_calls.is_none_or(|max| {
            u64::from(used.tool_calls) + u64::try_from(batch).unwrap_or(u64::MAX) <= u64::from(max)
        })
    }
}

/// Where a loop is, for a [`prepare_step`](crate::SampleRequest::prepare_step) hook and a
/// [`stop_when`](crate::SampleRequest::stop_when) condition.
#[derive(Debug)]
#[non_exhaustive]
pub struct StepContext<'s> {
    /// The step about to run (`prepare_step`) or just run (`stop_when`); 1 for the first.
    pub step: u32,
    /// The conversation so far.
    pub history: &'s Conversation,
    /// What the loop used so far.
    pub usage: &'s LoopUsage,
}

impl StepContext<'_> {
    /// The names of the tools the LLM called in its last response.
    pub fn last_tool_names(&self) -> Vec<&str> {
        self.history
            .iter()
            .rev()
            .find(|m| m.role == crate::message::Role::Assistant)
            .map(|m| m.tool_calls().iter().map(|c| c.name.as_str()).collect())
            .unwrap_or_default()
    }
}

/// A hook run before each LLM request: it may change the request (tools offered,
/// `tool_choice`, messages...).
pub(crate) type PrepareStep = Arc<dyn Fn(&StepContext<'_>, &mut LlmRequest) + Send + Sync>;

/// A condition checked after each step whose tools ran: true makes the next request the last.
pub(crate) type StopWhen = Arc<dyn Fn(&StepContext<'_>) -> bool + Send + Sync>;

/// An output validator, type-erased: `None` when the value is not of its type.
pub(crate) type Validator = Arc<dyn Fn(&dyn Any) -> Option<Result<(), String>> + Send + Sync>;

/// A validator for values of type `T`.
pub(crate) fn validator<T: 'static>(
    check: impl Fn(&T) -> Result<(), String> + Send + Sync + 'static,
) -> Validator {
    Arc::new(move |value: &dyn Any| value.downcast_ref::<T>().map(&check))
}

/// The author's hooks of one sampling call.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub validators: Vec<Validator>,
    pub prepare_step: Option<PrepareStep>,
    pub stop_when: Option<StopWhen>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("validators", &self.validators.len())
            .field("prepare_step", &self.prepare_step.is_some())
            .field("stop_when", &self.stop_when.is_some())
            .finish()
    }
}

impl Hooks {
    /// Runs the validators that apply to `value`'s type; the first complaint wins.
    pub(crate) fn validate<T: 'static>(&self, value: &T) -> Result<(), String> {
        for check in &self.validators {
            if let Some(Err(feedback)) = check(value) {
                return Err(feedback);
            }
        }
        Ok(())
    }
}

/// The state of a [`SampleRequest`](crate::SampleRequest) without validators: any result
/// type may be asked for.
#[derive(Debug, Clone, Copy)]
pub enum AnyResult {}

/// The state of a [`SampleRequest`](crate::SampleRequest) with validators for `T`
/// ([`validate`](crate::SampleRequest::validate)): only a `T` may be asked for, so a validator
/// can never be silently skipped because the loop returns another type.
pub struct Validated<T: ?Sized>(
    std::convert::Infallible,
    std::marker::PhantomData<fn() -> T>,
);

impl<T: ?Sized> fmt::Debug for Validated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::any::type_name::<Self>())
    }
}

/// Whether a request in this state (`Self`) may produce a `T`: always without validators, and
/// only the validators' own type with them.
///
/// Sealed: implemented for [`AnyResult`] and [`Validated<T>`] only.
#[diagnostic::on_unimplemented(
    message = "this sampling request has a validator for another type than `{T}`",
    label = "the loop returns a `{T}`, but `.validate` was given a check of another type",
    note = "a validator checks the loop's result, so it takes the type this call returns: \
            `.validate(|value: &{T}| ..)`; or sample the type the validator takes \
            (`sample::<ThatType>()`, or `sample_text` for a validator of `String`)"
)]
pub trait ResultOf<T: ?Sized>: sealed::Sealed {}

impl<T: ?Sized> ResultOf<T> for AnyResult {}
impl<T: ?Sized> ResultOf<T> for Validated<T> {}

mod sealed {
    /// Keeps [`ResultOf`](super::ResultOf) to this crate's two states.
    pub trait Sealed {}
    impl Sealed for super::AnyResult {}
    impl<T: ?Sized> Sealed for super::Validated<T> {}
}

/// What a text answer cut by the token limit (`maxTokens`) does to a loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TruncatedAnswer {
    /// It is the answer, marked: [`Sampled::is_truncated`](crate::Sampled::is_truncated) is
    /// true and its `stop_reason` is `maxTokens` (the default).
    #[default]
    Accept,
    /// The LLM is told its answer was cut and asked again for a shorter one, counted against
    /// the result retries; when they run out the loop fails.
    Retry,
    /// The loop fails with [`SampleErrorKind::TruncatedAnswer`](crate::SampleErrorKind::TruncatedAnswer).
    Fail,
}

/// What a typed loop does with a `final_response` call that arrives in the same reply as
/// calls to other tools: the LLM gave its answer before it could see their results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FinalResponseWithTools {
    /// The other tools run and the `final_response` is not taken (the default): its tool
    /// result (an error) tells the LLM to read the other results and call `final_response`
    /// again. It is not validated and does not count against
    /// [`result_retries`](crate::SampleRequest::result_retries). On the loop's last request,
    /// which offers only `final_response`, there is no turn left to answer again: it is
    /// judged as with [`Accept`](Self::Accept).
    #[default]
    SetAside,
    /// The other tools run, then the first `final_response` is validated and, when it is
    /// valid, is the answer, although the LLM never saw those tools' results.
    Accept,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_sums_known_tokens_and_counts_unknown_calls() {
        let mut usage = LoopUsage::default();
        assert_eq!(
            usage.to_string(),
            "0 LLM call(s), 0 tool call(s), tokens unknown"
        );
        usage.record_call("m", &StopReason::ToolUse, None, Duration::ZERO);
        assert_eq!(usage.tokens, None);
        let mut used = Usage::new(10, 3);
        used.cached_input_tokens = Some(8);
        usage.record_call("m", &StopReason::ToolUse, Some(used), Duration::ZERO);
        usage.record_tool_calls(2);
        usage.record_call(
            "m",
            &StopReason::EndTurn,
            Some(Usage::new(20, 5)),
            Duration::ZERO,
        );
        assert_eq!(usage.llm_calls, 3);
        assert_eq!(usage.calls_without_usage, 1);
        assert_eq!(usage.tool_calls, 2);
        assert_eq!(usage.steps[1].tool_calls, 2);
        assert_eq!(usage.steps[2].step, 3);
        let tokens = usage.tokens.unwrap();
        assert_eq!((tokens.input_tokens, tokens.output_tokens), (30, 8));
        assert_eq!(tokens.cached_input_tokens, Some(8));
        assert_eq!(
            usage.to_string(),
            "3 LLM call(s), 2 tool call(s), 30 input and 8 output tokens"
        );
    }

    #[test]
    fn limits_say_which_one_is_reached() {
        let mut usage = LoopUsage::default();
        usage.record_call(
            "m",
            &StopReason::EndTurn,
            Some(Usage::new(100, 40)),
            Duration::ZERO,
        );
        usage.record_tool_calls(3);
        let limits = UsageLimits::new()
            .input_tokens(500)
            .output_tokens(40)
            .tool_calls(4);
        assert_eq!(limits.tokens_reached(&usage), Some(("output_tokens", 40)));
        assert_eq!(
            UsageLimits::new().input_tokens(100).tokens_reached(&usage),
            Some(("input_tokens", 100))
        );
        assert_eq!(UsageLimits::new().tokens_reached(&usage), None);
        assert!(limits.tool_calls_fit(&usage, 1));
        assert!(!limits.tool_calls_fit(&usage, 2));
        assert!(UsageLimits::new().tool_calls_fit(&usage, 1000));
    }

    #[test]
    fn validators_apply_to_their_own_type_only() {
        let positive = validator(|n: &i64| {
            if *n > 0 {
                Ok(())
            } else {
                Err("not positive".into())
            }
        });
        assert_eq!(positive(&5_i64), Some(Ok(())));
        assert_eq!(positive(&-1_i64), Some(Err("not positive".into())));
        assert_eq!(positive(&"text".to_owned()), None);
    }
}
