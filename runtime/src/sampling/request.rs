//! One sampling call: its options, its input messages, and what it returns.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::service::RequestContext;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::control::{
    AnyResult, FinalResponseWithTools, Hooks, LoopUsage, ResultOf, StepContext, TruncatedAnswer,
    UsageLimits, Validated, validator,
};
use crate::input::Approvals;
use crate::limits::{
    DEFAULT_MAX_HISTORY_BYTES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS,
    DEFAULT_MAX_TOOL_CALLS_PER_REPLY, DEFAULT_MAX_TOOL_RESULT_BYTES, DEFAULT_RESULT_RETRIES,
    DEFAULT_TEXT_NUDGES,
};
use crate::message::{
    ContextInclusion, Conversation, LlmResponse, ModelHints, ModelPreferences, Role, StopReason,
    ToolCall, ToolChoice,
};
use crate::sampling::sampler::Sampler;
use crate::tools::IntoSamplingTool;
use crate::tools::exec::Concurrency;
use crate::tools::tool::SamplingTool;

/// A sampling call being set up; finish it with [`sample_text`](SampleRequest::sample_text),
/// [`sample`](SampleRequest::sample) or [`sample_step`](SampleRequest::sample_step).
///
/// Made by [`Sampler::on`] or [`Sampler::standalone`]. Finishing takes the request by value, so
/// the future owns it and calls awaited together need no named requests
/// (`tokio::join!(s.on(&ctx).sample_text(a), s.on(&ctx).sample_text(b))`); to make several
/// calls from one set-up, clone it. Every option has a default that
/// works: `max_tokens` 512, at most 100 LLM requests, each answered within 5 minutes
/// ([`DEFAULT_LLM_TIMEOUT`](crate::limits::DEFAULT_LLM_TIMEOUT)), tools run one at a time with no time limit, error details not
/// masked, and the limits that keep one loop small ([`DEFAULT_MAX_TOOL_CALLS_PER_REPLY`],
/// [`DEFAULT_MAX_TOOL_RESULT_BYTES`], [`DEFAULT_MAX_HISTORY_BYTES`]). A call starts from the
/// sampler's defaults (its system prompt, `max_tokens`, temperature, model preferences,
/// masking, tool time limit, time budget and iterations cap, see [`Sampler`]); what the call
/// sets replaces them.
#[must_use = "a sampling request does nothing until it is sampled"]
pub struct SampleRequest<'a, V = AnyResult> {
    pub(crate) sampler: &'a Sampler,
    pub(crate) ctx: Option<&'a RequestContext<RoleServer>>,
    pub(crate) options: Options,
    pub(crate) tools: Vec<SamplingTool<'a>>,
    /// Which result types the validators allow: [`AnyResult`] or [`Validated<T>`].
    pub(crate) validated: PhantomData<fn() -> V>,
}

/// The options of a sampling call.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub system_prompt: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: u32,
    pub stop_sequences: Vec<String>,
    pub model_preferences: Option<ModelPreferences>,
    pub include_context: Option<ContextInclusion>,
    pub metadata: Option<Value>,
    pub tool_choice: Option<ToolChoice>,
    pub max_iterations: u32,
    pub result_retries: u32,
    pub text_nudges: u32,
    pub concurrency: Concurrency,
    pub tool_timeout: Option<Duration>,
    pub mask_error_details: bool,
    pub execute_tools: bool,
    pub cancellation: Option<CancellationToken>,
    /// `None`: the sampler's.
    pub llm_timeout: Option<Duration>,
    pub deadline: Option<Deadline>,
    pub max_tool_calls_per_reply: usize,
    pub max_tool_result_bytes: usize,
    pub max_history_bytes: usize,
    pub usage_limits: UsageLimits,
    pub truncated_answer: TruncatedAnswer,
    pub final_response_with_tools: FinalResponseWithTools,
    pub log_content: bool,
    pub hooks: Hooks,
    pub approvals: Approvals,
}

/// When a loop must be over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deadline {
    At(Instant),
    /// Counted from the start of the loop.
    After(Duration),
}

impl Default for Options {
    fn default() -> Self {
        Self {
            system_prompt: None,
            temperature: None,
            max_tokens: DEFAULT_MAX_TOKENS,
            stop_sequences: Vec::new(),
            model_preferences: None,
            include_context: None,
            metadata: None,
            tool_choice: None,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            result_retries: DEFAULT_RESULT_RETRIES,
            text_nudges: DEFAULT_TEXT_NUDGES,
            concurrency: Concurrency::Sequential,
            tool_timeout: None,
            mask_error_details: false,
            execute_tools: true,
            cancellation: None,
            llm_timeout: None,
            deadline: None,
            max_tool_calls_per_reply: DEFAULT_MAX_TOOL_CALLS_PER_REPLY,
            max_tool_result_bytes: DEFAULT_MAX_TOOL_RESULT_BYTES,
            max_history_bytes: DEFAULT_MAX_HISTORY_BYTES,
            usage_limits: UsageLimits::default(),
            truncated_answer: TruncatedAnswer::default(),
            final_response_with_tools: FinalResponseWithTools::default(),
            log_content: false,
            hooks: Hooks::default(),
            approvals: Approvals::default(),
        }
    }
}

// By hand: a derive would ask `V: Clone` of a type that is only a marker.
impl<V> Clone for SampleRequest<'_, V> {
    fn clone(&self) -> Self {
        Self {
            sampler: self.sampler,
            ctx: self.ctx,
            options: self.options.clone(),
            tools: self.tools.clone(),
            validated: PhantomData,
        }
    }
}

impl<'a> SampleRequest<'a> {
    pub(crate) fn new(sampler: &'a Sampler, ctx: Option<&'a RequestContext<RoleServer>>) -> Self {
        Self {
            sampler,
            ctx,
            options: sampler.defaults().clone(),
            tools: Vec::new(),
            validated: PhantomData,
        }
    }
}

impl<'a, V> SampleRequest<'a, V> {
    /// The system prompt.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.options.system_prompt = Some(prompt.into());
        self
    }

    /// The sampling temperature.
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.options.temperature = Some(temperature);
        self
    }

    /// The most tokens each LLM request may produce (default 512).
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.options.max_tokens = max_tokens;
        self
    }

    /// Sequences that stop generation.
    pub fn stop_sequences<S: Into<String>>(mut self, stops: impl IntoIterator<Item = S>) -> Self {
        self.options.stop_sequences = stops.into_iter().map(Into::into).collect();
        self
    }

    /// Model preferences: one hint name, a list of names, or full [`ModelPreferences`].
    pub fn model_preferences(mut self, preferences: impl Into<ModelHints>) -> Self {
        self.options.model_preferences = Some(preferences.into().0);
        self
    }

    /// How much MCP context the client should include (soft-deprecated by MCP).
    pub fn include_context(mut self, include: ContextInclusion) -> Self {
        self.options.include_context = Some(include);
        self
    }

    /// Request metadata passed to the LLM provider as it is.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.options.metadata = Some(metadata);
        self
    }

    /// Adds one tool the LLM may call.
    pub fn tool<'t: 'a>(mut self, tool: impl IntoSamplingTool<'t>) -> Self {
        self.tools.push(tool.into_sampling_tool().shorten());
        self
    }

    /// Adds tools the LLM may call. Names must be unique (checked when sampling starts).
    pub fn tools<'t: 'a>(
        mut self,
        tools: impl IntoIterator<Item = impl IntoSamplingTool<'t>>,
    ) -> Self {
        self.tools.extend(
            tools
                .into_iter()
                .map(|tool| tool.into_sampling_tool().shorten()),
        );
        self
    }

    /// How the LLM must use tools. For a text answer
    /// ([`sample_text`](SampleRequest::sample_text)) it applies to the first request and is
    /// reset to `auto` after it; the last request the loop may make sends `none`, to force the
    /// answer. With [`ToolChoice::Required`], a text answer instead of a tool call is nudged
    /// and the request asked again (see [`text_nudges`](SampleRequest::text_nudges)); an LLM
    /// that keeps answering in text, or still has not called a tool when only the last request
    /// is left, ends the loop with
    /// [`SampleErrorKind::NoToolCall`](crate::SampleErrorKind::NoToolCall), never with its
    /// text as the answer. [`sample_step`](SampleRequest::sample_step) sends it as it is; a
    /// typed answer ([`sample`](SampleRequest::sample)) always requires a tool call and
    /// ignores it.
    pub fn tool_choice(mut self, mode: ToolChoice) -> Self {
        self.options.tool_choice = Some(mode);
        self
    }

    /// The most LLM requests in one loop (default 100). The last one forces an answer within
    /// the budget: a text loop's still lists its tools (the history refers to them) with
    /// `tool_choice: none`; a typed loop's offers only `final_response`, and calls to other
    /// tools in its reply do not run (each gets an error result).
    ///
    /// 0 is refused when the loop starts, with
    /// [`SampleErrorKind::Configuration`](crate::SampleErrorKind::Configuration).
    pub fn max_iterations(mut self, max: u32) -> Self {
        self.options.max_iterations = max;
        self
    }

    /// How many consecutive invalid `final_response` calls get a retry (default 3). Only
    /// [`sample`](SampleRequest::sample) has a typed result; `sample_text` and `sample_step`
    /// ignore it.
    pub fn result_retries(mut self, retries: u32) -> Self {
        self.options.result_retries = retries;
        self
    }

    /// How many text answers get a nudge to call a tool (default 3); the next one ends the
    /// loop. In [`sample`](SampleRequest::sample) the nudge asks for `final_response`, and
    /// the loop ends with
    /// [`TextInsteadOfResult`](crate::SampleErrorKind::TextInsteadOfResult); in
    /// [`sample_text`](SampleRequest::sample_text) only a request with
    /// [`tool_choice(Required)`](SampleRequest::tool_choice) nudges, and the loop ends with
    /// [`NoToolCall`](crate::SampleErrorKind::NoToolCall). `sample_step` ignores it.
    pub fn text_nudges(mut self, nudges: u32) -> Self {
        self.options.text_nudges = nudges;
        self
    }

    /// How many tool calls of one response run at once (default one at a time). A tool marked
    /// `sequential` makes its whole batch run one at a time.
    pub fn concurrency(mut self, concurrency: Concurrency) -> Self {
        self.options.concurrency = concurrency;
        self
    }

    /// A time limit for each tool call; one that runs over becomes an error for the LLM.
    pub fn tool_timeout(mut self, timeout: Duration) -> Self {
        self.options.tool_timeout = Some(timeout);
        self
    }

    /// Hides the details of tool failures from the LLM: only [`ToolError`](crate::ToolError)
    /// messages (and the LLM's own mistakes: unknown tool, bad arguments) pass; others become
    /// "Error executing tool 'NAME'".
    pub fn mask_error_details(mut self, mask: bool) -> Self {
        self.options.mask_error_details = mask;
        self
    }

    /// Stops the loop when this token is cancelled (in addition to the MCP request's own
    /// cancellation, which [`Sampler::on`] wires in): for standalone loops and deadlines.
    pub fn cancellation(mut self, token: CancellationToken) -> Self {
        self.options.cancellation = Some(token);
        self
    }

    /// The time limit of each LLM request (default: the sampler's, see
    /// [`Sampler::llm_timeout`]). A request not answered in time ends the loop with
    /// [`SampleErrorKind::LlmTimeout`](crate::SampleErrorKind::LlmTimeout), and the client is
    /// sent `notifications/cancelled` for it.
    pub fn llm_timeout(mut self, timeout: Duration) -> Self {
        self.options.llm_timeout = Some(timeout);
        self
    }

    /// The loop must be over by `deadline`: LLM requests and tool calls still running then are
    /// stopped (the client is sent `notifications/cancelled` for its request), and the loop
    /// ends with [`SampleErrorKind::DeadlineExceeded`](crate::SampleErrorKind::DeadlineExceeded).
    /// No deadline by default.
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.options.deadline = Some(Deadline::At(deadline));
        self
    }

    /// Like [`deadline`](SampleRequest::deadline), counted from the moment sampling starts.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.options.deadline = Some(Deadline::After(budget));
        self
    }

    /// The most tool calls one LLM reply may make (default
    /// [`DEFAULT_MAX_TOOL_CALLS_PER_REPLY`]). A reply with more is refused: none of its calls
    /// run and the loop ends with
    /// [`SampleErrorKind::TooManyToolCalls`](crate::SampleErrorKind::TooManyToolCalls).
    pub fn max_tool_calls_per_reply(mut self, max: usize) -> Self {
        self.options.max_tool_calls_per_reply = max.max(1);
        self
    }

    /// The most bytes of one tool result sent back to the LLM (default
    /// [`DEFAULT_MAX_TOOL_RESULT_BYTES`]); a longer result is cut at a character boundary and
    /// ends with a note saying how long it was.
    pub fn max_tool_result_bytes(mut self, max: usize) -> Self {
        self.options.max_tool_result_bytes = max;
        self
    }

    /// The most bytes (as JSON) the whole history may reach before an LLM request (default
    /// [`DEFAULT_MAX_HISTORY_BYTES`]); beyond it the loop ends with
    /// [`SampleErrorKind::HistoryTooLarge`](crate::SampleErrorKind::HistoryTooLarge).
    pub fn max_history_bytes(mut self, max: usize) -> Self {
        self.options.max_history_bytes = max;
        self
    }

    /// For [`sample_step`](SampleRequest::sample_step): whether the tools the LLM calls are run
    /// and their results appended (default true). The full loops always run them and ignore it.
    pub fn execute_tools(mut self, execute: bool) -> Self {
        self.options.execute_tools = execute;
        self
    }

    /// Caps on LLM calls, tool calls and tokens for the loop; see [`UsageLimits`].
    pub fn usage_limits(mut self, limits: UsageLimits) -> Self {
        self.options.usage_limits = limits;
        self
    }

    /// What a text answer cut by the token limit does (default: it is the answer, marked
    /// `maxTokens`; see [`TruncatedAnswer`]).
    pub fn on_truncated_answer(mut self, what: TruncatedAnswer) -> Self {
        self.options.truncated_answer = what;
        self
    }

    /// What a typed loop does with a `final_response` sent in the same reply as calls to other
    /// tools (default [`FinalResponseWithTools::SetAside`]: the other tools run, and the LLM is
    /// asked to answer again once it has seen their results; the server-wide default is
    /// [`Sampler::on_final_response_with_tools`]).
    pub fn on_final_response_with_tools(mut self, what: FinalResponseWithTools) -> Self {
        self.options.final_response_with_tools = what;
        self
    }

    /// Adds a check of the loop's result, run once it parses (for `sample::<T>()`) or once
    /// the LLM answers (for `sample_text`, `T = String`). An `Err(feedback)` sends the LLM
    /// back with the feedback (as `final_response`'s error result, or as a user message for
    /// text), counted against [`result_retries`](Self::result_retries); when they run out
    /// the loop fails with [`InvalidResult`](crate::SampleErrorKind::InvalidResult).
    ///
    /// The request then only samples a `T`: a validator for another type than the one asked
    /// for (`.validate(|x: &Other| ..).sample::<T>()`) does not compile, and neither does a
    /// second validator for another type. [`sample_step`](Self::sample_step) makes no result,
    /// so it runs no validator.
    pub fn validate<T: 'static>(
        mut self,
        check: impl Fn(&T) -> Result<(), String> + Send + Sync + 'static,
    ) -> SampleRequest<'a, Validated<T>>
    where
        V: ResultOf<T>,
    {
        self.options.hooks.validators.push(validator(check));
        SampleRequest {
            sampler: self.sampler,
            ctx: self.ctx,
            options: self.options,
            tools: self.tools,
            validated: PhantomData,
        }
    }

    /// Makes the calls for which `when` holds wait for the user's approval before they run,
    /// beside those of tools marked for approval (`#[sampling_tool(approval)]`,
    /// [`SamplingTool::approval`](crate::SamplingTool::approval)).
    ///
    /// The user is asked through a form elicitation that names the tool and shows its
    /// arguments; all approvals of one reply are asked together (one round on protocol
    /// 2026-07-28, where the answers join the sealed journal: a later round never asks again
    /// and never runs a call that was not approved). A declined or dismissed call does not
    /// run: the LLM reads an error result saying so, and the loop goes on. When the user
    /// cannot be asked, [`without_elicitation`](Self::without_elicitation) decides.
    pub fn require_approval(
        mut self,
        when: impl Fn(&crate::message::ToolCall) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.options.approvals.when = Some(std::sync::Arc::new(when));
        self
    }

    /// What happens to a call that needs approval when the user cannot be asked (the client
    /// did not declare `elicitation`, or there is no client): by default
    /// [`NoElicitation::Deny`](crate::input::NoElicitation::Deny).
    pub fn without_elicitation(mut self, what: crate::input::NoElicitation) -> Self {
        self.options.approvals.without_elicitation = what;
        self
    }

    /// A hook run before each LLM request of a loop (and of `sample_step`) with the request
    /// about to be sent: it may change the tools offered, `tool_choice`, the messages (e.g.
    /// drop old tool results: the loop's own history keeps them) or any other field. Like the
    /// Vercel AI SDK's `prepareStep`. Removing `final_response` from a typed loop's tools
    /// keeps the LLM from answering.
    pub fn prepare_step(
        mut self,
        hook: impl Fn(&StepContext<'_>, &mut crate::message::LlmRequest) + Send + Sync + 'static,
    ) -> Self {
        self.options.hooks.prepare_step = Some(std::sync::Arc::new(hook));
        self
    }

    /// A condition checked after each step whose tools ran (like the Vercel AI SDK's
    /// `stopWhen`): once it holds, the next request is the last and asks for the final
    /// answer (text: no tools; typed: only `final_response`).
    /// [`StepContext::last_tool_names`] tells which tools were just called.
    pub fn stop_when(
        mut self,
        condition: impl Fn(&StepContext<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.options.hooks.stop_when = Some(std::sync::Arc::new(condition));
        self
    }

    /// Logs message contents (requests and responses, as JSON) at `debug` on each LLM call
    /// (default off: only counts, model, tokens, stop reason and duration are logged).
    pub fn log_content(mut self, yes: bool) -> Self {
        self.options.log_content = yes;
        self
    }
}

/// The outcome of one LLM call ([`SampleRequest::sample_step`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Step {
    /// The LLM's response.
    pub response: LlmResponse,
    /// The whole conversation: the input, the response and, when tools ran, their results.
    /// Pass it to the next `sample_step` to go on.
    pub history: Conversation,
    /// What the step used: one LLM call, its tokens when reported, the tools run.
    pub usage: LoopUsage,
}

impl Step {
    /// Whether the LLM asked for tools.
    pub fn is_tool_use(&self) -> bool {
        !self.tool_calls().is_empty()
    }

    /// The text of the response (its text blocks joined), if it has any.
    pub fn text(&self) -> Option<String> {
        self.response.message.text()
    }

    /// The tool calls of the response, in order.
    pub fn tool_calls(&self) -> Vec<&ToolCall> {
        self.response.message.tool_calls()
    }

    /// Whether the tools were run and their results are the last message of the history.
    pub fn tools_executed(&self) -> bool {
        self.is_tool_use()
            && self
                .history
                .last()
                .is_some_and(|m| m.role == Role::User && !m.results().is_empty())
    }
}

/// The outcome of a sampling loop.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sampled<T> {
    /// The final text; for a typed result, its JSON.
    pub text: String,
    /// The result: the text, or the validated typed value.
    pub result: T,
    /// Every message exchanged, including rejected attempts.
    pub history: Conversation,
    /// The model that gave the final answer, as the LLM reported it.
    pub model: String,
    /// Why the LLM stopped its final answer.
    pub stop_reason: StopReason,
    /// How many LLM calls the loop made.
    pub steps: u32,
    /// What the loop used: LLM calls, tool calls and tokens, per step and in total.
    pub usage: LoopUsage,
}

impl<T> Sampled<T> {
    /// Whether the final answer was cut by the token limit (`stop_reason` is `maxTokens`).
    pub fn is_truncated(&self) -> bool {
        self.stop_reason == StopReason::MaxTokens
    }
}
