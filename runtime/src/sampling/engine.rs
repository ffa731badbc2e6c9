//! The sampling loop. Its state is plain data (`LoopState`) and the LLM call is one seam
//! (`Llm::call`), so a channel that must stop where the loop waits for the LLM (multi
//! round-trip on 2026-07-28) can seal the state and resume it later without a rewrite.
//!
//! `sample_step` and the full loops share one step: `SampleRequest::exchange` (the history
//! checked, one LLM call, its response checked and appended, progress reported) and
//! `SampleRequest::answer_calls` (the tools run, their results appended).

use futures::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::time::Instant;
use tracing::Instrument;

use crate::channel::llm::Llm;
use crate::channel::push::CallLimit;
use crate::channel::roundtrip::Origin;
use crate::control::{FinalResponseWithTools, LoopUsage, ResultOf, StepContext, TruncatedAnswer};
use crate::error::{SampleError, SampleErrorKind};
use crate::handler::check_response;
use crate::input;
use crate::message::{
    Content, Conversation, LlmRequest, LlmResponse, Message, Role, StopReason, ToolCall,
    ToolChoice, ToolResult, ToolSpec, Usage,
};
use crate::sampling::request::{Deadline, Options, SampleRequest, Sampled, Step};
use crate::schema::FINAL_RESPONSE;
use crate::tools::exec::{self, ExecOptions};
use crate::tools::toolset::Toolset;
use crate::typed::result::StructuredResult;

/// The loop's state between two LLM calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoopState {
    /// Every message so far.
    pub history: Conversation,
    /// LLM requests made so far.
    pub iterations: u32,
    /// Consecutive `final_response` calls that did not validate.
    pub invalid_results: u32,
    /// Text answers given while a typed result (or a tool call) was required.
    pub text_answers: u32,
    /// Bytes of `history` as JSON, kept up to date by [`LoopState::push`].
    pub history_bytes: usize,
    /// What the loop used so far.
    pub usage: LoopUsage,
    /// Why the next request must be the last one, when something other than
    /// `max_iterations` or the round budget says so.
    pub forced: Option<Forced>,
    /// The last request asked for a tool call (`required`) and got none: ask again.
    pub required_again: bool,
}

/// Why a loop asks for its final answer early.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Forced {
    /// A usage limit (`llm_calls`, `tool_calls`) is reached.
    Limit(&'static str, u64),
    /// The author's stop condition held.
    Stopped,
}

impl Forced {
    /// The error when the last request still brought no final answer.
    fn error(self) -> SampleErrorKind {
        match self {
            Self::Limit(limit, max) => SampleErrorKind::UsageLimit { limit, max },
            Self::Stopped => SampleErrorKind::Stopped,
        }
    }
}

impl LoopState {
    fn new(history: Conversation) -> Self {
        Self {
            history_bytes: history.iter().map(Message::json_size).sum(),
            history,
            ..Self::default()
        }
    }

    /// Appends a message, counting its bytes.
    fn push(&mut self, message: Message) {
        self.history_bytes += message.json_size();
        self.history.push(message);
    }
}

/// What a loop is after.
enum Goal<T> {
    /// Free text, turned into `T`.
    Text(fn(String) -> T),
    /// A `final_response` call that validates.
    Typed(TypedGoal<T>),
}

/// A typed result: the `final_response` tool and how its arguments become a `T`.
struct TypedGoal<T> {
    tool: ToolSpec,
    type_name: &'static str,
    parse: fn(Map<String, Value>) -> Result<T, Vec<String>>,
    to_text: fn(&T) -> String,
}

/// What one response means for the loop.
enum Next<T> {
    Done(Sampled<T>),
    Continue,
}

/// What a response says beside its message, which [`SampleRequest::exchange`] moved to the
/// end of the history.
struct Reply {
    model: String,
    stop_reason: StopReason,
    usage: Option<Usage>,
}

impl Reply {
    /// The whole response again, with its message.
    fn into_response(self, message: Message) -> LlmResponse {
        LlmResponse {
            message,
            model: self.model,
            stop_reason: self.stop_reason,
            usage: self.usage,
        }
    }
}

/// The last message of a history: after [`SampleRequest::exchange`], the LLM's answer. (An
/// empty history, which `exchange` never leaves, reads as an empty answer.)
fn last_answer_message(history: &Conversation) -> &Message {
    const EMPTY: &Message = &Message {
        role: Role::Assistant,
        content: Vec::new(),
    };
    history.last().unwrap_or(EMPTY)
}

/// What a loop (or `sample_step`) works with once it has started.
struct Run<'a> {
    llm: Llm<'a>,
    toolset: Toolset<'a>,
    /// The author's tools, as the LLM sees them.
    offered: Vec<ToolSpec>,
    deadline: Option<Instant>,
}

/// One step of a loop, as decided before its request.
struct Turn {
    /// 1 for the first request.
    step: u32,
    /// No request may follow this one: it must bring the answer.
    last: bool,
    /// The iterations cap.
    cap: u32,
    /// Why the loop asks for its answer before the cap, when a limit or the stop condition
    /// says so.
    early: Option<Forced>,
    /// The rounds the client affords (multi round-trip; 0 elsewhere).
    round_budget: u32,
}

impl Turn {
    /// The error when the last request brought no answer: the iterations cap, a usage limit
    /// or the stop condition, else the rounds the client affords.
    fn out_of_turns(&self) -> SampleErrorKind {
        if self.step == self.cap {
            SampleErrorKind::MaxIterations(self.cap)
        } else if let Some(early) = self.early {
            early.error()
        } else {
            SampleErrorKind::RoundBudget(self.round_budget)
        }
    }
}

impl<'a, V> SampleRequest<'a, V> {
    /// One LLM call. Unless [`execute_tools(false)`](SampleRequest::execute_tools), the tools
    /// it asks for run and their results are appended to the returned history.
    ///
    /// `max_iterations`, `result_retries`, `text_nudges`, `usage_limits`, `validate`,
    /// `stop_when`, `on_truncated_answer` and `on_final_response_with_tools` belong to the
    /// full loops ([`sample_text`](SampleRequest::sample_text),
    /// [`sample`](SampleRequest::sample)) and are ignored here; `prepare_step` runs before its
    /// one request, and [`Step::usage`] says what the call used.
    pub async fn sample_step(self, messages: impl Into<Conversation>) -> Result<Step, SampleError> {
        let mut state = LoopState::new(messages.into());
        let result = match self.start(false) {
            Ok(run) => self.single_step(&run, &mut state).await,
            Err(kind) => Err(kind),
        };
        match result {
            Ok(response) => Ok(Step {
                response,
                history: state.history,
                usage: state.usage,
            }),
            Err(kind) => Err(failed(kind, state)),
        }
    }

    /// Runs the loop until the LLM answers in text: the tools it calls run and their results
    /// go back to it, step after step.
    pub async fn sample_text(
        self,
        messages: impl Into<Conversation>,
    ) -> Result<Sampled<String>, SampleError>
    where
        V: ResultOf<String>,
    {
        self.run(messages.into(), Goal::Text(|text| text)).await
    }

    /// Runs the loop until the LLM delivers a valid `T` through the synthetic
    /// `final_response` tool (offered on every request, with `tool_choice = required`).
    ///
    /// Up to [`result_retries`](SampleRequest::result_retries) consecutive invalid payloads
    /// are answered with the list of violations; text answers get a nudge up to
    /// [`text_nudges`](SampleRequest::text_nudges) times. When a response calls other tools
    /// beside `final_response`, those run and, by default, the `final_response` is set aside
    /// so the LLM answers again with their results in view (see
    /// [`on_final_response_with_tools`](SampleRequest::on_final_response_with_tools)).
    /// [`tool_choice`](SampleRequest::tool_choice) is ignored: a typed answer always requires
    /// a tool call.
    ///
    /// A plain `fn` returning a boxed future rather than an `async fn`: a type that is not a
    /// result is then reported once, at `T`, instead of once more per use of the future.
    pub fn sample<T: StructuredResult>(
        self,
        messages: impl Into<Conversation>,
    ) -> BoxFuture<'a, Result<Sampled<T>, SampleError>>
    where
        V: ResultOf<T> + 'a,
    {
        let goal = Goal::Typed(TypedGoal {
            tool: ToolSpec::from(T::final_response_tool()),
            type_name: T::type_name(),
            parse: T::parse_final_response,
            to_text: T::to_text,
        });
        let messages = messages.into();
        Box::pin(async move { self.run(messages, goal).await })
    }

    /// What every loop and `sample_step` start from: the tools (their names checked), an LLM
    /// that can serve them (`needs_tools`: a tool is offered even if the author gave none)
    /// and the deadline, fixed now.
    fn start(&self, needs_tools: bool) -> Result<Run<'a>, SampleErrorKind> {
        let deadline = self.loop_deadline();
        let toolset = Toolset::try_from_tools(self.tools.iter().cloned())
            .map_err(SampleErrorKind::Toolset)?;
        let llm = Llm::new(
            self.sampler.route(),
            self.ctx,
            needs_tools || !toolset.is_empty(),
            self.options.cancellation.as_ref(),
        )?;
        Ok(Run {
            llm,
            offered: toolset.specs(),
            toolset,
            deadline,
        })
    }

    /// The one step of `sample_step`: the caller's `tool_choice` as it is (unless the channel
    /// forces the answer), the tools it asks for run unless `execute_tools(false)`.
    async fn single_step(
        &self,
        run: &Run<'a>,
        state: &mut LoopState,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let forced = run.llm.forces_answer(|| {
            self.request(
                state.history.clone(),
                run.offered.clone(),
                self.options.tool_choice,
            )
        })?;
        let choice = match (run.offered.is_empty(), forced) {
            (true, _) => None,
            (false, true) => Some(ToolChoice::None),
            (false, false) => self.options.tool_choice,
        };
        let reply = self
            .exchange(
                &run.llm,
                state,
                run.offered.clone(),
                choice,
                1,
                run.deadline,
            )
            .await?;
        // The step returns the response whole, beside the history that holds it.
        let response = reply.into_response(last_answer_message(&state.history).clone());
        let calls = response.message.tool_calls();
        if self.options.execute_tools && !calls.is_empty() {
            self.answer_calls(run, &calls, state, 1).await?;
        }
        Ok(response)
    }

    async fn run<T: 'static>(
        &self,
        messages: Conversation,
        goal: Goal<T>,
    ) -> Result<Sampled<T>, SampleError> {
        let mut state = LoopState::new(messages);
        match self.run_loop(&goal, &mut state).await {
            Ok(done) => Ok(done),
            Err(kind) => Err(failed(kind, state)),
        }
    }

    /// Turn after turn until the goal is reached or the loop fails.
    async fn run_loop<T: 'static>(
        &self,
        goal: &Goal<T>,
        state: &mut LoopState,
    ) -> Result<Sampled<T>, SampleErrorKind> {
        if self.options.max_iterations == 0 {
            return Err(SampleErrorKind::Configuration(
                "max_iterations is 0: a loop needs at least one LLM request".into(),
            ));
        }
        let run = self.start(matches!(goal, Goal::Typed(_)))?;
        loop {
            if let Next::Done(done) = self.turn(&run, goal, state).await? {
                return Ok(done);
            }
        }
    }

    /// One LLM request and what follows from its response.
    async fn turn<T: 'static>(
        &self,
        run: &Run<'_>,
        goal: &Goal<T>,
        state: &mut LoopState,
    ) -> Result<Next<T>, SampleErrorKind> {
        let turn = self.begin_turn(run, goal, state)?;
        if matches!(goal, Goal::Text(_)) && turn.last && state.required_again {
            // The last request offers no tool call (`none`), so it cannot honour `required`
            // and would contradict the nudge it carries: the LLM never called a tool.
            return Err(SampleErrorKind::NoToolCall {
                text: last_answer(&state.history),
            });
        }
        let (tools, tool_choice) = self.offer(run, goal, &turn, state);
        let reply = self
            .exchange(&run.llm, state, tools, tool_choice, turn.step, run.deadline)
            .await?;
        match goal {
            Goal::Text(from_text) => {
                let required = tool_choice == Some(ToolChoice::Required);
                self.text_outcome(run, *from_text, &turn, required, reply, state)
                    .await
            }
            Goal::Typed(typed) => self.typed_outcome(run, typed, &turn, reply, state).await,
        }
    }

    /// Checks that the loop may make another request, counts it, and decides whether it is
    /// the last.
    fn begin_turn<T>(
        &self,
        run: &Run<'_>,
        goal: &Goal<T>,
        state: &mut LoopState,
    ) -> Result<Turn, SampleErrorKind> {
        let limits = self.options.usage_limits;
        let cap = self.options.max_iterations;
        if state.iterations >= cap {
            return Err(SampleErrorKind::MaxIterations(cap));
        }
        if let Some((limit, max)) = limits.tokens_reached(&state.usage) {
            return Err(SampleErrorKind::UsageLimit { limit, max });
        }
        let forced = run.llm.forces_answer(|| {
            let mut tools = run.offered.clone();
            if let Goal::Typed(typed) = goal {
                tools.push(typed.tool.clone());
            }
            self.request(state.history.clone(), tools, self.options.tool_choice)
        })?;
        state.iterations += 1;
        let step = state.iterations;
        if let Some(max) = limits.llm_calls
            && step >= max
            && step < cap
        {
            state
                .forced
                .get_or_insert(Forced::Limit("llm_calls", u64::from(max)));
        }
        Ok(Turn {
            step,
            last: step == cap || forced || state.forced.is_some(),
            cap,
            early: state.forced,
            round_budget: run.llm.round_budget(),
        })
    }

    /// The tools a request offers and its `tool_choice`. A text loop sends the caller's choice
    /// on its first request (and again after a text answer to `required`), `auto` after it,
    /// and `none` on its last; a typed loop requires a call, and offers only `final_response`
    /// on its last.
    fn offer<T>(
        &self,
        run: &Run<'_>,
        goal: &Goal<T>,
        turn: &Turn,
        state: &LoopState,
    ) -> (Vec<ToolSpec>, Option<ToolChoice>) {
        match goal {
            Goal::Text(_) => {
                let first = turn.step == 1 || state.required_again;
                let choice = match (
                    run.offered.is_empty(),
                    turn.last,
                    first,
                    self.options.tool_choice,
                ) {
                    (true, ..) => None,
                    (false, true, _, _) => Some(ToolChoice::None),
                    (false, _, true, choice) => choice,
                    (false, _, _, Some(_)) => Some(ToolChoice::Auto),
                    (false, _, _, None) => None,
                };
                (run.offered.clone(), choice)
            }
            Goal::Typed(typed) => {
                let mut tools = if turn.last {
                    Vec::new()
                } else {
                    run.offered.clone()
                };
                tools.push(typed.tool.clone());
                (tools, Some(ToolChoice::Required))
            }
        }
    }

    /// What a text loop does with a response (the last message of the history): run its tool
    /// calls, or take its text (after a nudge when a tool call was `required`, the cut-answer
    /// policy and the validators).
    async fn text_outcome<T>(
        &self,
        run: &Run<'_>,
        from_text: fn(String) -> T,
        turn: &Turn,
        required: bool,
        reply: Reply,
        state: &mut LoopState,
    ) -> Result<Next<T>, SampleErrorKind> {
        state.required_again = false;
        let calls = last_answer_message(&state.history).tool_calls();
        if !calls.is_empty() {
            if turn.last {
                return Err(turn.out_of_turns());
            }
            let results = self
                .run_budgeted(run, &calls, &mut state.usage, &mut state.forced, turn.step)
                .await?;
            self.push_results(state, results, &reply, turn.step);
            return Ok(Next::Continue);
        }
        let text = last_answer_message(&state.history)
            .text()
            .unwrap_or_default();
        if required {
            return self.required_but_text(text, turn, state);
        }
        if reply.stop_reason == StopReason::MaxTokens
            && let Some(next) = self.cut_text(&text, turn, state)?
        {
            return Ok(next);
        }
        if let Err(feedback) = self.options.hooks.validate(&text) {
            if !self.may_retry(state, turn) {
                return Err(SampleErrorKind::InvalidResult {
                    type_name: "String",
                    violations: vec![feedback],
                });
            }
            state.push(Message::user(feedback));
            return Ok(Next::Continue);
        }
        let result = from_text(text.clone());
        Ok(finished(state, reply, turn.step, text, result))
    }

    /// A text answer although the request required a tool call: a nudge to call one, up to
    /// `text_nudges` times. (A last request never requires one: it forces the answer.)
    fn required_but_text<T>(
        &self,
        text: String,
        turn: &Turn,
        state: &mut LoopState,
    ) -> Result<Next<T>, SampleErrorKind> {
        tracing::warn!(
            step = turn.step,
            "the LLM answered in text although a tool call was required"
        );
        state.text_answers += 1;
        if state.text_answers > self.options.text_nudges {
            return Err(SampleErrorKind::NoToolCall { text });
        }
        state.push(Message::user(REQUIRED_NUDGE));
        state.required_again = true;
        Ok(Next::Continue)
    }

    /// A text answer cut by the token limit, as `on_truncated_answer` says: `None` when it is
    /// the answer all the same.
    fn cut_text<T>(
        &self,
        text: &str,
        turn: &Turn,
        state: &mut LoopState,
    ) -> Result<Option<Next<T>>, SampleErrorKind> {
        let max_tokens = self.options.max_tokens;
        let refused = || SampleErrorKind::TruncatedAnswer {
            max_tokens,
            text: text.to_owned(),
        };
        match self.options.truncated_answer {
            TruncatedAnswer::Accept => Ok(None),
            TruncatedAnswer::Fail => Err(refused()),
            TruncatedAnswer::Retry => {
                if !self.may_retry(state, turn) {
                    return Err(refused());
                }
                state.push(Message::user(cut_answer_note(max_tokens)));
                Ok(Some(Next::Continue))
            }
        }
    }

    /// What a typed loop does with a response: nudge a text answer, run the other tools, and
    /// judge the `final_response` call unless it is set aside.
    async fn typed_outcome<T: 'static>(
        &self,
        run: &Run<'_>,
        typed: &TypedGoal<T>,
        turn: &Turn,
        reply: Reply,
        state: &mut LoopState,
    ) -> Result<Next<T>, SampleErrorKind> {
        let calls = last_answer_message(&state.history).tool_calls();
        if calls.is_empty() {
            return self.typed_text_answer(typed.type_name, &reply, turn, state);
        }
        let has_final = calls.iter().any(|c| c.name == FINAL_RESPONSE);
        if turn.last && !has_final {
            return Err(turn.out_of_turns());
        }
        let others: Vec<&ToolCall> = calls
            .iter()
            .copied()
            .filter(|c| c.name != FINAL_RESPONSE)
            .collect();
        let other_results = if others.is_empty() {
            Vec::new()
        } else if turn.last {
            // The last request offered only `final_response`: other calls do not run (their
            // results would reach no LLM), and the answer beside them is judged alone.
            not_offered_results(&others)
        } else {
            self.run_budgeted(run, &others, &mut state.usage, &mut state.forced, turn.step)
                .await?
        };
        let set_aside = has_final
            && !others.is_empty()
            && !turn.last
            && self.options.final_response_with_tools == FinalResponseWithTools::SetAside;
        if !has_final || set_aside {
            // Not a rejected answer: the run of invalid `final_response` calls is broken.
            state.invalid_results = 0;
            let results = if set_aside {
                set_aside_results(&calls, other_results)
            } else {
                other_results
            };
            self.push_results(state, results, &reply, turn.step);
            return Ok(Next::Continue);
        }
        let (results, verdict) = self.judge_final(typed, &calls, other_results);
        state.push(results_message(
            results,
            reply.stop_reason == StopReason::MaxTokens,
            self.options.max_tokens,
        ));
        match verdict {
            Some(Ok(value)) => {
                let text = (typed.to_text)(&value);
                Ok(finished(state, reply, turn.step, text, value))
            }
            Some(Err(violations)) if !self.may_retry(state, turn) => {
                Err(SampleErrorKind::InvalidResult {
                    type_name: typed.type_name,
                    violations,
                })
            }
            Some(Err(_)) | None => Ok(Next::Continue),
        }
    }

    /// A text answer where a typed result is required: a nudge to call `final_response`, up
    /// to `text_nudges` times.
    fn typed_text_answer<T>(
        &self,
        type_name: &'static str,
        reply: &Reply,
        turn: &Turn,
        state: &mut LoopState,
    ) -> Result<Next<T>, SampleErrorKind> {
        state.text_answers += 1;
        if state.text_answers > self.options.text_nudges {
            return Err(SampleErrorKind::TextInsteadOfResult {
                type_name,
                text: last_answer_message(&state.history)
                    .text()
                    .unwrap_or_default(),
            });
        }
        if turn.last {
            return Err(turn.out_of_turns());
        }
        let mut nudge = nudge(type_name);
        if reply.stop_reason == StopReason::MaxTokens {
            nudge.push(' ');
            nudge.push_str(&cut_answer_note(self.options.max_tokens));
        }
        state.push(Message::user(nudge));
        Ok(Next::Continue)
    }

    /// The results of a reply holding `final_response`, in the order of its calls: the other
    /// tools' results, the first `final_response` judged, any later one refused; with the
    /// verdict on the first.
    fn judge_final<T: 'static>(
        &self,
        typed: &TypedGoal<T>,
        calls: &[&ToolCall],
        other_results: Vec<ToolResult>,
    ) -> (Vec<ToolResult>, Option<Result<T, Vec<String>>>) {
        let mut other_results = other_results.into_iter();
        let mut verdict = None;
        let mut results = Vec::with_capacity(calls.len());
        for call in calls {
            if call.name != FINAL_RESPONSE {
                results.extend(other_results.next());
            } else if verdict.is_some() {
                results.push(ToolResult::error(
                    &call.id,
                    "final_response was already called in this response; only the first call \
                     counts",
                ));
            } else {
                let (result, checked) = self.check_final(typed, call);
                results.push(result);
                verdict = Some(checked);
            }
        }
        (results, verdict)
    }

    /// One `final_response` call checked against `T`'s schema, then the author's validators
    /// (their feedback goes back as it is): the tool result the LLM gets, and the value or
    /// the violations.
    fn check_final<T: 'static>(
        &self,
        typed: &TypedGoal<T>,
        call: &ToolCall,
    ) -> (ToolResult, Result<T, Vec<String>>) {
        match (typed.parse)(call.arguments.clone()) {
            Err(violations) => (
                ToolResult::error(
                    &call.id,
                    crate::schema::violation_report(typed.type_name, &violations),
                ),
                Err(violations),
            ),
            Ok(value) => match self.options.hooks.validate(&value) {
                Ok(()) => (
                    ToolResult::text(&call.id, "Final response accepted."),
                    Ok(value),
                ),
                Err(feedback) => (
                    ToolResult::error(&call.id, feedback.clone()),
                    Err(vec![feedback]),
                ),
            },
        }
    }

    /// Counts an answer that was not accepted: whether the LLM may try again (retries left,
    /// and a request after this one).
    fn may_retry(&self, state: &mut LoopState, turn: &Turn) -> bool {
        state.invalid_results += 1;
        state.invalid_results <= self.options.result_retries && !turn.last
    }

    /// Appends the results of a response's tool calls, then checks the stop condition.
    fn push_results(
        &self,
        state: &mut LoopState,
        results: Vec<ToolResult>,
        reply: &Reply,
        step: u32,
    ) {
        let cut = reply.stop_reason == StopReason::MaxTokens;
        state.push(results_message(results, cut, self.options.max_tokens));
        self.check_stop(state, step);
    }

    /// The request of one LLM call.
    fn request(
        &self,
        history: Conversation,
        tools: Vec<ToolSpec>,
        tool_choice: Option<ToolChoice>,
    ) -> LlmRequest {
        let options: &Options = &self.options;
        let mut request = LlmRequest::new(history, options.max_tokens);
        request.system_prompt = options.system_prompt.clone();
        request.temperature = options.temperature;
        request.stop_sequences = options.stop_sequences.clone();
        request.model_preferences = options.model_preferences.clone();
        request.include_context = options.include_context;
        request.metadata = options.metadata.clone();
        request.tools = tools;
        request.tool_choice = tool_choice;
        request
    }

    /// The step both `sample_step` and the loops take: the history checked against its limit,
    /// one LLM call with these tools, its response checked and its message moved to the end
    /// of the history (where the caller reads it), progress reported.
    async fn exchange(
        &self,
        llm: &Llm<'_>,
        state: &mut LoopState,
        tools: Vec<ToolSpec>,
        tool_choice: Option<ToolChoice>,
        step: u32,
        deadline: Option<Instant>,
    ) -> Result<Reply, SampleErrorKind> {
        self.check_history(state.history_bytes)?;
        // The request borrows the history for the call and gives it back (no copy), unless
        // `prepare_step` may edit what this one request sends.
        let request = match &self.options.hooks.prepare_step {
            Some(hook) => {
                let mut request = self.request(state.history.clone(), tools, tool_choice);
                let cx = StepContext {
                    step,
                    history: &state.history,
                    usage: &state.usage,
                };
                hook(&cx, &mut request);
                request
            }
            None => self.request(std::mem::take(&mut state.history), tools, tool_choice),
        };
        let started = std::time::Instant::now();
        let origin = llm.origin();
        let (request, response) = self.call_llm(llm, request, step, deadline, origin).await;
        if self.options.hooks.prepare_step.is_none() {
            state.history = Conversation::from(request.messages);
        }
        let LlmResponse {
            message,
            model,
            stop_reason,
            usage,
        } = response?;
        state
            .usage
            .record_call(&model, &stop_reason, usage, started.elapsed());
        let calls = message.tool_calls().len();
        state.push(message);
        self.check_tool_calls(calls)?;
        // A step replayed from the multi round-trip journal was reported in its own round.
        if origin != Origin::Replayed {
            self.report_progress(step).await;
        }
        Ok(Reply {
            model,
            stop_reason,
            usage,
        })
    }

    /// Runs a batch of tool calls within the tool-call limit: a batch that would pass it does
    /// not run (each call gets an error result) and the next request is the last (`forced`).
    /// It takes the loop state's fields, not the state, as the calls borrow its history.
    async fn run_budgeted(
        &self,
        run: &Run<'_>,
        calls: &[&ToolCall],
        usage: &mut LoopUsage,
        forced: &mut Option<Forced>,
        step: u32,
    ) -> Result<Vec<ToolResult>, SampleErrorKind> {
        let limits = self.options.usage_limits;
        if !limits.tool_calls_fit(usage, calls.len()) {
            let max = limits.tool_calls.unwrap_or(0);
            tracing::debug!(
                step,
                calls = calls.len(),
                max,
                "tool-call limit reached: the batch does not run"
            );
            forced.get_or_insert(Forced::Limit("tool_calls", u64::from(max)));
            let text = format!(
                "Not run: this loop's limit of {max} tool calls is reached. Give your final \
                 answer now with what you have."
            );
            return Ok(calls
                .iter()
                .map(|call| ToolResult::error(&call.id, text.clone()))
                .collect());
        }
        let results = self.run_tools(run, calls, step).await?;
        usage.record_tool_calls(calls.len());
        Ok(results)
    }

    /// Checks the author's stop condition after a step whose tools ran.
    fn check_stop(&self, state: &mut LoopState, step: u32) {
        let Some(condition) = &self.options.hooks.stop_when else {
            return;
        };
        let cx = StepContext {
            step,
            history: &state.history,
            usage: &state.usage,
        };
        if condition(&cx) {
            tracing::debug!(
                step,
                "stop condition met: the next request asks for the final answer"
            );
            state.forced.get_or_insert(Forced::Stopped);
        }
    }

    /// Runs the tools of `calls` and appends their results to the history.
    async fn answer_calls(
        &self,
        run: &Run<'_>,
        calls: &[&ToolCall],
        state: &mut LoopState,
        step: u32,
    ) -> Result<(), SampleErrorKind> {
        let results = self.run_tools(run, calls, step).await?;
        state.usage.record_tool_calls(calls.len());
        state.push(Message::tool_results(results));
        Ok(())
    }

    /// One LLM call, traced, cancellable, with its response checked. The request comes back
    /// with the answer, so its messages can go on as the loop's history.
    async fn call_llm(
        &self,
        llm: &Llm<'_>,
        request: LlmRequest,
        step: u32,
        deadline: Option<Instant>,
        origin: Origin,
    ) -> (LlmRequest, Result<LlmResponse, SampleErrorKind>) {
        let mut request = request;
        let result = self
            .call_llm_with(llm, &mut request, step, deadline, origin)
            .await;
        (request, result)
    }

    async fn call_llm_with(
        &self,
        llm: &Llm<'_>,
        request: &mut LlmRequest,
        step: u32,
        deadline: Option<Instant>,
        origin: Origin,
    ) -> Result<LlmResponse, SampleErrorKind> {
        let limit = CallLimit {
            timeout: self
                .options
                .llm_timeout
                .unwrap_or(self.sampler.llm_time_limit()),
            deadline,
        };
        if origin == Origin::Replayed {
            // Answered in an earlier round, traced and logged there: not a new LLM call.
            tracing::trace!(
                step,
                "LLM answer replayed from the multi round-trip journal"
            );
            let response = llm.call(request, limit).await?;
            check_response(&response).map_err(SampleErrorKind::InvalidResponse)?;
            return Ok(response);
        }
        // Named after the OpenTelemetry GenAI conventions: `chat {model}` (as `otel.name`,
        // which tracing-opentelemetry uses as the span's name) with `gen_ai.*` attributes.
        let requested_model = request.model_hints().first().map(String::as_str);
        let span = tracing::info_span!(
            "chat",
            otel.name = tracing::field::Empty,
            gen_ai.operation.name = "chat",
            gen_ai.request.model = requested_model,
            gen_ai.request.max_tokens = request.max_tokens,
            gen_ai.request.temperature = request.temperature,
            gen_ai.response.model = tracing::field::Empty,
            gen_ai.response.finish_reasons = tracing::field::Empty,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
            step,
            channel = llm.channel(),
            messages = request.messages.len(),
            tools = request.tools.len(),
            error = tracing::field::Empty,
        );
        // Formatting a name costs an allocation per step: only for a span someone records.
        if !span.is_disabled() {
            span.record(
                "otel.name",
                format!("chat {}", requested_model.unwrap_or("")).trim_end(),
            );
        }
        if llm.cancellation().is_cancelled() {
            return Err(SampleErrorKind::Cancelled);
        }
        if deadline.is_some_and(|d| d <= Instant::now()) {
            return Err(SampleErrorKind::DeadlineExceeded);
        }
        // An answer that arrived with this round was asked for (and logged) in the last one.
        if origin == Origin::Live {
            self.log_request(&span, llm, request, step);
        }
        // The clock is read for the log only (the loop's usage times the call itself).
        let started = (origin == Origin::Live && tracing::enabled!(tracing::Level::DEBUG))
            .then(std::time::Instant::now);
        let result = llm.call(request, limit).instrument(span.clone()).await;
        let result = result.and_then(|response| {
            check_response(&response).map_err(SampleErrorKind::InvalidResponse)?;
            Ok(response)
        });
        // The time an arrived answer took is the client's, between two rounds: unknown here.
        let elapsed_ms =
            started.map(|at| u64::try_from(at.elapsed().as_millis()).unwrap_or(u64::MAX));
        match &result {
            Ok(response) => self.log_answer(&span, step, elapsed_ms, response),
            Err(error) => {
                span.record("error", tracing::field::debug(error));
                tracing::debug!(parent: &span, step, elapsed_ms, ?error, "LLM call failed");
            }
        }
        result
    }

    /// Logs a request at `debug` (its content too with `log_content`).
    fn log_request(&self, span: &tracing::Span, llm: &Llm<'_>, request: &LlmRequest, step: u32) {
        tracing::debug!(
            parent: span,
            step,
            channel = llm.channel(),
            messages = request.messages.len(),
            tools = ?request.tool_names(),
            tool_choice = ?request.tool_choice,
            max_tokens = request.max_tokens,
            "LLM call"
        );
        if self.options.log_content {
            tracing::debug!(
                parent: span,
                step,
                system = request.system_prompt.as_deref().unwrap_or(""),
                messages = %serde_json::to_string(&request.messages).unwrap_or_default(),
                "LLM request content"
            );
        }
    }

    /// Records an answer on its `chat` span and logs it at `debug`.
    fn log_answer(
        &self,
        span: &tracing::Span,
        step: u32,
        elapsed_ms: Option<u64>,
        response: &LlmResponse,
    ) {
        if !span.is_disabled() {
            span.record("otel.name", format!("chat {}", response.model));
        }
        span.record("gen_ai.response.model", response.model.as_str());
        span.record(
            "gen_ai.response.finish_reasons",
            response.stop_reason.as_str(),
        );
        if let Some(usage) = response.usage {
            span.record("gen_ai.usage.input_tokens", usage.input_tokens);
            span.record("gen_ai.usage.output_tokens", usage.output_tokens);
        }
        let usage = response.usage;
        tracing::debug!(
            parent: span,
            step,
            model = %response.model,
            stop_reason = %response.stop_reason,
            input_tokens = usage.map(|u| u.input_tokens),
            output_tokens = usage.map(|u| u.output_tokens),
            cached_input_tokens = usage.and_then(|u| u.cached_input_tokens),
            tool_calls = response.message.tool_calls().len(),
            elapsed_ms,
            "LLM answered"
        );
        if self.options.log_content {
            tracing::debug!(
                parent: span,
                step,
                message = %serde_json::to_string(&response.message).unwrap_or_default(),
                "LLM response content"
            );
        }
    }

    /// Runs a batch of tool calls, unless the request is cancelled first or meanwhile (then
    /// the in-flight calls are dropped).
    async fn run_tools(
        &self,
        run: &Run<'_>,
        calls: &[&ToolCall],
        step: u32,
    ) -> Result<Vec<ToolResult>, SampleErrorKind> {
        let Run {
            llm,
            toolset,
            deadline,
            ..
        } = run;
        let cancellation = llm.cancellation();
        if cancellation.is_cancelled() {
            return Err(SampleErrorKind::Cancelled);
        }
        if let Some(recorded) = llm.recorded_tools() {
            return Ok(recorded);
        }
        let refusals = input::gate(llm, toolset, calls, &self.options.approvals, *deadline).await?;
        let allowed: Vec<&ToolCall> = calls
            .iter()
            .zip(&refusals)
            .filter(|(_, refusal)| refusal.is_none())
            .map(|(call, _)| *call)
            .collect();
        let options = ExecOptions {
            concurrency: self.options.concurrency,
            timeout: self.options.tool_timeout,
            mask_error_details: self.options.mask_error_details,
            max_result_bytes: self.options.max_tool_result_bytes,
            step,
        };
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(*at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = cancellation.cancelled() => Err(SampleErrorKind::Cancelled),
            () = expired => Err(SampleErrorKind::DeadlineExceeded),
            results = exec::execute(toolset, &allowed, options) => {
                let results = input::with_refusals(calls, refusals, results);
                llm.record_tools(&results);
                Ok(results)
            }
        }
    }

    /// The loop's deadline, fixed when it starts.
    fn loop_deadline(&self) -> Option<Instant> {
        match self.options.deadline? {
            Deadline::At(at) => Some(Instant::from_std(at)),
            Deadline::After(budget) => Instant::now().checked_add(budget),
        }
    }

    /// The history may not grow past its limit.
    fn check_history(&self, bytes: usize) -> Result<(), SampleErrorKind> {
        let limit = self.options.max_history_bytes;
        if bytes > limit {
            return Err(SampleErrorKind::HistoryTooLarge { bytes, limit });
        }
        Ok(())
    }

    /// One reply may not call more tools than the limit.
    fn check_tool_calls(&self, calls: usize) -> Result<(), SampleErrorKind> {
        let limit = self.options.max_tool_calls_per_reply;
        if calls > limit {
            return Err(SampleErrorKind::TooManyToolCalls { calls, limit });
        }
        Ok(())
    }

    /// Tells the client how far the loop is, when its request carried a progress token.
    async fn report_progress(&self, step: u32) {
        let Some(ctx) = self.ctx else { return };
        let Some(token) = ctx.meta.get_progress_token() else {
            return;
        };
        let mut progress = rmcp::model::ProgressNotificationParam::new(token, f64::from(step));
        progress.message = Some(format!("sampling step {step}"));
        if let Err(error) = ctx.peer.notify_progress(progress).await {
            tracing::debug!(%error, "could not send a sampling progress notification");
        }
    }
}

/// A loop's outcome: the answer, with the history and the usage taken from the state.
fn finished<T>(
    state: &mut LoopState,
    reply: Reply,
    steps: u32,
    text: String,
    result: T,
) -> Next<T> {
    Next::Done(Sampled {
        text,
        result,
        history: std::mem::take(&mut state.history),
        model: reply.model,
        stop_reason: reply.stop_reason,
        steps,
        usage: std::mem::take(&mut state.usage),
    })
}

/// A loop's failure, with the history and the usage up to it.
fn failed(kind: SampleErrorKind, state: LoopState) -> SampleError {
    SampleError::new(kind)
        .with_history(state.history)
        .with_usage(state.usage)
}

/// The text of the LLM's last answer in `history`.
fn last_answer(history: &Conversation) -> String {
    history
        .iter()
        .rev()
        .find(|message| message.role == Role::Assistant)
        .and_then(Message::text)
        .unwrap_or_default()
}

/// The results of a reply whose `final_response` is set aside, in the order of its calls: the
/// other tools' results, and for each `final_response` call why it was not taken.
fn set_aside_results(calls: &[&ToolCall], other_results: Vec<ToolResult>) -> Vec<ToolResult> {
    let mut other_results = other_results.into_iter();
    calls
        .iter()
        .filter_map(|call| {
            if call.name == FINAL_RESPONSE {
                Some(ToolResult::error(&call.id, SET_ASIDE_NOTE))
            } else {
                other_results.next()
            }
        })
        .collect()
}

/// The results of calls to tools the last request did not offer: each an error, unrun.
fn not_offered_results(calls: &[&ToolCall]) -> Vec<ToolResult> {
    calls
        .iter()
        .map(|call| {
            ToolResult::error(
                &call.id,
                format!(
                    "`{}` was not offered on the last request (only {FINAL_RESPONSE} was), so \
                     it did not run.",
                    call.name
                ),
            )
        })
        .collect()
}

/// Why a `final_response` sent beside other tool calls was not taken.
const SET_ASIDE_NOTE: &str = "Not accepted: this reply also called other tools, and you had not \
                              seen their results yet. Read their results in this message, then \
                              call final_response again with your final answer.";

/// What a text loop tells the LLM when it answered in text although a tool call was required.
const REQUIRED_NUDGE: &str = "You answered in text, but this step requires a tool call: call \
                              one of the tools offered.";

/// What the LLM is told when its answer was cut by the token limit.
fn cut_answer_note(max_tokens: u32) -> String {
    format!(
        "Your last reply was cut off by the token limit ({max_tokens} tokens). Answer again, \
         more briefly, so that the whole answer fits."
    )
}

/// The user message answering a response's tool calls. When the response was cut by the
/// token limit, a note says so: a call after the last complete one may have been lost.
fn results_message(results: Vec<ToolResult>, cut: bool, max_tokens: u32) -> Message {
    let mut message = Message::tool_results(results);
    if cut {
        message.content.push(Content::text(format!(
            "Note: your last reply was cut off by the token limit ({max_tokens} tokens), so \
             any tool call after the ones answered above was lost. Make fewer or shorter calls \
             per reply."
        )));
    }
    message
}

fn nudge(type_name: &str) -> String {
    format!(
        "You answered in text, but this task needs a structured `{type_name}`: call the \
         `{FINAL_RESPONSE}` tool with your final answer as its arguments."
    )
}
