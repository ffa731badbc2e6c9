//! The sampling loop. Its state is plain data (`LoopState`) and the LLM call is one seam
//! (`Llm::call`), so a channel that must stop where the loop waits for the LLM (multi
//! round-trip on 2026-07-28) can seal the state and resume it later without a rewrite.

use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, JsonObject, ProgressNotificationParam, Role,
    SamplingMessage, SamplingMessageContentBlock, ToolChoice, ToolChoiceMode, ToolResultContent,
    ToolUseContent,
};
use tokio::time::Instant;
use tracing::Instrument;

use crate::channel::handler::check_response;
use crate::channel::{CallLimit, Llm};
use crate::sampling::limits::json_size;
use crate::sampling::request::{
    Deadline, Messages, Options, Sampled, Step, text_of, tool_calls_of,
};
use crate::tools::exec::{self, ExecOptions};
use crate::{
    FINAL_RESPONSE, SampleError, SampleErrorKind, SampleRequest, StructuredResult, Toolset,
};

/// The loop's state between two LLM calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoopState {
    /// Every message so far.
    pub history: Vec<SamplingMessage>,
    /// LLM requests made so far.
    pub iterations: u32,
    /// Consecutive `final_response` calls that did not validate.
    pub invalid_results: u32,
    /// Text answers given while a typed result was required.
    pub text_answers: u32,
    /// Bytes of `history` as JSON, kept up to date by [`LoopState::push`].
    pub history_bytes: usize,
}

impl LoopState {
    fn new(history: Vec<SamplingMessage>) -> Self {
        Self {
            history_bytes: history.iter().map(json_size).sum(),
            history,
            ..Self::default()
        }
    }

    /// Appends a message, counting its bytes.
    fn push(&mut self, message: SamplingMessage) {
        self.history_bytes += json_size(&message);
        self.history.push(message);
    }
}

/// What a loop is after.
enum Goal<T> {
    /// Free text, turned into `T`.
    Text(fn(String) -> T),
    /// A `final_response` call that validates.
    Typed {
        tool: Box<rmcp::model::Tool>,
        type_name: &'static str,
        parse: fn(JsonObject) -> Result<T, Vec<String>>,
        to_text: fn(&T) -> String,
    },
}

/// What one response means for the loop.
enum Next<T> {
    Done(Sampled<T>),
    Continue,
}

impl<'a> SampleRequest<'a> {
    /// One LLM call. Unless [`execute_tools(false)`](SampleRequest::execute_tools), the tools
    /// it asks for run and their results are appended to the returned history.
    pub async fn sample_step(&self, messages: impl Into<Messages>) -> Result<Step, SampleError> {
        let mut history = messages.into().0;
        let toolset = self
            .toolset()
            .map_err(|e| e.with_history(history.clone()))?;
        let llm = self
            .llm(!toolset.is_empty())
            .map_err(|e| e.with_history(history.clone()))?;
        let deadline = self.loop_deadline();
        let tools = (!toolset.is_empty()).then(|| toolset.to_rmcp_tools());
        let bytes = history.iter().map(json_size).sum();
        if let Err(kind) = self.check_history(bytes) {
            return Err(SampleError::new(kind).with_history(history));
        }
        let forced = llm
            .forces_answer(|| {
                self.params(&history, tools.clone(), self.options.tool_choice.clone())
            })
            .map_err(|kind| SampleError::new(kind).with_history(history.clone()))?;
        let tool_choice = match (&tools, forced) {
            (Some(_), true) => Some(ToolChoiceMode::None),
            _ => self.options.tool_choice.clone(),
        };
        let bytes = history.iter().map(json_size).sum();
        if let Err(kind) = self.check_history(bytes) {
            return Err(SampleError::new(kind).with_history(history));
        }
        let params = self.params(&history, tools, tool_choice);
        let response = match self.call_llm(&llm, params, 1, deadline).await {
            Ok(response) => response,
            Err(kind) => return Err(SampleError::new(kind).with_history(history)),
        };
        history.push(response.message.clone());
        let calls = tool_calls_of(&response.message);
        if let Err(kind) = self.check_tool_calls(calls.len()) {
            return Err(SampleError::new(kind).with_history(history));
        }
        if self.options.execute_tools && !calls.is_empty() {
            let results = self.run_tools(&llm, &toolset, &calls, 1, deadline).await;
            match results {
                Ok(results) => history.push(SamplingMessage::new_multiple(Role::User, results)),
                Err(kind) => return Err(SampleError::new(kind).with_history(history)),
            }
        }
        self.report_progress(1).await;
        Ok(Step { response, history })
    }

    /// Runs the loop until the LLM answers in text: the tools it calls run and their results
    /// go back to it, step after step.
    pub async fn sample_text(
        &self,
        messages: impl Into<Messages>,
    ) -> Result<Sampled<String>, SampleError> {
        self.run(messages.into(), Goal::Text(|text| text)).await
    }

    /// Runs the loop until the LLM delivers a valid `T` through the synthetic
    /// `final_response` tool (offered on every request, with `tool_choice = required`).
    ///
    /// Up to [`result_retries`](SampleRequest::result_retries) consecutive invalid payloads
    /// are answered with the list of violations; text answers get a nudge up to
    /// [`text_nudges`](SampleRequest::text_nudges) times. When a response calls other tools
    /// beside `final_response`, those run first (their results are in the history), then the
    /// `final_response` call is validated.
    pub async fn sample<T: StructuredResult>(
        &self,
        messages: impl Into<Messages>,
    ) -> Result<Sampled<T>, SampleError> {
        let goal = Goal::Typed {
            tool: Box::new(T::final_response_tool()),
            type_name: T::type_name(),
            parse: T::parse_final_response,
            to_text: T::to_text,
        };
        self.run(messages.into(), goal).await
    }

    fn toolset(&self) -> Result<Toolset<'a>, SampleError> {
        Toolset::try_from_tools(self.tools.iter().cloned())
            .map_err(|e| SampleError::new(SampleErrorKind::Toolset(e)))
    }

    fn llm(&self, tools_offered: bool) -> Result<Llm<'a>, SampleError> {
        Llm::new(
            self.sampler,
            self.ctx,
            tools_offered,
            self.options.cancellation.as_ref(),
        )
        .map_err(SampleError::new)
    }

    async fn run<T>(&self, messages: Messages, goal: Goal<T>) -> Result<Sampled<T>, SampleError> {
        let mut state = LoopState::new(messages.0);
        let deadline = self.loop_deadline();
        let prepared = self.toolset().and_then(|toolset| {
            let typed = matches!(goal, Goal::Typed { .. });
            Ok((self.llm(typed || !toolset.is_empty())?, toolset))
        });
        let (llm, toolset) = match prepared {
            Ok(prepared) => prepared,
            Err(error) => return Err(error.with_history(state.history)),
        };
        let offered = toolset.to_rmcp_tools();
        loop {
            match self
                .turn(&llm, &toolset, &offered, &goal, &mut state, deadline)
                .await
            {
                Ok(Next::Done(done)) => return Ok(done),
                Ok(Next::Continue) => {}
                Err(kind) => return Err(SampleError::new(kind).with_history(state.history)),
            }
        }
    }

    /// One LLM request and what follows from its response.
    async fn turn<T>(
        &self,
        llm: &Llm<'_>,
        toolset: &Toolset<'_>,
        offered: &[rmcp::model::Tool],
        goal: &Goal<T>,
        state: &mut LoopState,
        deadline: Option<Instant>,
    ) -> Result<Next<T>, SampleErrorKind> {
        let cap = self.options.max_iterations;
        if state.iterations >= cap {
            return Err(SampleErrorKind::MaxIterations(cap));
        }
        let forced = llm.forces_answer(|| {
            let mut tools = offered.to_vec();
            if let Goal::Typed { tool, .. } = goal {
                tools.push((**tool).clone());
            }
            self.params(
                &state.history,
                Some(tools),
                self.options.tool_choice.clone(),
            )
        })?;
        state.iterations += 1;
        let step = state.iterations;
        let last = step == cap || forced;
        // The error when the last request still gets no answer: the iterations cap, or the
        // rounds the client affords (multi round-trip).
        let out_of_turns = || {
            if step == cap {
                SampleErrorKind::MaxIterations(cap)
            } else {
                SampleErrorKind::RoundBudget(llm.round_budget())
            }
        };
        let (tools, tool_choice) = match goal {
            Goal::Text(_) => {
                let tools = (!offered.is_empty()).then(|| offered.to_vec());
                let choice = match (&tools, last, step, &self.options.tool_choice) {
                    (Some(_), true, _, _) => Some(ToolChoiceMode::None),
                    (_, _, 1, choice) => choice.clone(),
                    (_, _, _, Some(_)) => Some(ToolChoiceMode::Auto),
                    (_, _, _, None) => None,
                };
                (tools, choice)
            }
            Goal::Typed { tool, .. } => {
                let mut tools = if last { Vec::new() } else { offered.to_vec() };
                tools.push((**tool).clone());
                (Some(tools), Some(ToolChoiceMode::Required))
            }
        };
        self.check_history(state.history_bytes)?;
        let params = self.params(&state.history, tools, tool_choice);
        let response = self.call_llm(llm, params, step, deadline).await?;
        state.push(response.message.clone());
        let calls = tool_calls_of(&response.message);
        self.check_tool_calls(calls.len())?;
        self.report_progress(step).await;

        match goal {
            Goal::Text(from_text) => {
                if calls.is_empty() {
                    let text = text_of(&response.message).unwrap_or_default();
                    return Ok(Next::Done(Sampled {
                        result: from_text(text.clone()),
                        text,
                        history: std::mem::take(&mut state.history),
                    }));
                }
                if last {
                    return Err(out_of_turns());
                }
                let results = self.run_tools(llm, toolset, &calls, step, deadline).await?;
                state.push(SamplingMessage::new_multiple(Role::User, results));
                Ok(Next::Continue)
            }
            Goal::Typed {
                type_name,
                parse,
                to_text,
                ..
            } => {
                if calls.is_empty() {
                    state.text_answers += 1;
                    if state.text_answers > self.options.text_nudges {
                        return Err(SampleErrorKind::TextInsteadOfResult {
                            type_name,
                            text: text_of(&response.message).unwrap_or_default(),
                        });
                    }
                    if last {
                        return Err(out_of_turns());
                    }
                    state.push(SamplingMessage::user_text(nudge(type_name)));
                    return Ok(Next::Continue);
                }
                let has_final = calls.iter().any(|c| c.name == FINAL_RESPONSE);
                if last && !has_final {
                    return Err(out_of_turns());
                }
                // Other tools run first; their results are part of the history either way.
                let others: Vec<&ToolUseContent> = calls
                    .iter()
                    .copied()
                    .filter(|c| c.name != FINAL_RESPONSE)
                    .collect();
                let mut other_results = if others.is_empty() {
                    Vec::new()
                } else {
                    self.run_tools(llm, toolset, &others, step, deadline)
                        .await?
                }
                .into_iter();
                if !has_final {
                    state.invalid_results = 0;
                    state.push(SamplingMessage::new_multiple(
                        Role::User,
                        other_results.collect(),
                    ));
                    return Ok(Next::Continue);
                }
                // The first final_response call is the answer; results keep the calls' order.
                let mut verdict = None;
                let mut results = Vec::with_capacity(calls.len());
                for call in &calls {
                    if call.name != FINAL_RESPONSE {
                        results.extend(other_results.next());
                    } else if verdict.is_some() {
                        results.push(error_result(
                            &call.id,
                            "final_response was already called in this response; only the \
                             first call counts"
                                .into(),
                        ));
                    } else {
                        let parsed = parse(call.input.clone());
                        results.push(match &parsed {
                            Ok(_) => ok_result(&call.id, "Final response accepted."),
                            Err(violations) => error_result(
                                &call.id,
                                crate::violation_report(type_name, violations),
                            ),
                        });
                        verdict = Some(parsed);
                    }
                }
                state.push(SamplingMessage::new_multiple(Role::User, results));
                match verdict {
                    Some(Ok(value)) => Ok(Next::Done(Sampled {
                        text: to_text(&value),
                        result: value,
                        history: std::mem::take(&mut state.history),
                    })),
                    Some(Err(violations)) => {
                        state.invalid_results += 1;
                        if state.invalid_results > self.options.result_retries || last {
                            return Err(SampleErrorKind::InvalidResult {
                                type_name,
                                violations,
                            });
                        }
                        Ok(Next::Continue)
                    }
                    None => Ok(Next::Continue),
                }
            }
        }
    }

    fn params(
        &self,
        history: &[SamplingMessage],
        tools: Option<Vec<rmcp::model::Tool>>,
        tool_choice: Option<ToolChoiceMode>,
    ) -> CreateMessageRequestParams {
        let options: &Options = &self.options;
        let mut params = CreateMessageRequestParams::default();
        params.messages = history.to_vec();
        params.system_prompt = options.system_prompt.clone();
        params.temperature = options.temperature;
        params.max_tokens = options.max_tokens;
        params.stop_sequences = options.stop_sequences.clone();
        params.model_preferences = options.model_preferences.clone();
        params.include_context = options.include_context.clone();
        params.metadata = options.metadata.clone();
        params.tools = tools;
        params.tool_choice = tool_choice.map(|mode| {
            let mut choice = ToolChoice::default();
            choice.mode = Some(mode);
            choice
        });
        params
    }

    /// One LLM call, traced, cancellable, with its response checked.
    async fn call_llm(
        &self,
        llm: &Llm<'_>,
        params: CreateMessageRequestParams,
        step: u32,
        deadline: Option<Instant>,
    ) -> Result<CreateMessageResult, SampleErrorKind> {
        let span = tracing::info_span!(
            "sampling.llm_call",
            step,
            channel = llm.channel(),
            messages = params.messages.len(),
            tools = params.tools.as_ref().map_or(0, Vec::len),
            error = tracing::field::Empty,
        );
        if llm.cancellation().is_cancelled() {
            return Err(SampleErrorKind::Cancelled);
        }
        if deadline.is_some_and(|d| d <= Instant::now()) {
            return Err(SampleErrorKind::DeadlineExceeded);
        }
        let limit = CallLimit {
            timeout: self
                .options
                .llm_timeout
                .unwrap_or(self.sampler.llm_time_limit()),
            deadline,
        };
        let result = llm.call(params, limit).instrument(span.clone()).await;
        let result = result.and_then(|response| {
            check_response(&response).map_err(SampleErrorKind::InvalidResponse)?;
            Ok(response)
        });
        if let Err(error) = &result {
            span.record("error", tracing::field::debug(error));
        }
        result
    }

    /// Runs a batch of tool calls, unless the request is cancelled first or meanwhile (then
    /// the in-flight calls are dropped).
    async fn run_tools(
        &self,
        llm: &Llm<'_>,
        toolset: &Toolset<'_>,
        calls: &[&ToolUseContent],
        step: u32,
        deadline: Option<Instant>,
    ) -> Result<Vec<SamplingMessageContentBlock>, SampleErrorKind> {
        let cancellation = llm.cancellation();
        if cancellation.is_cancelled() {
            return Err(SampleErrorKind::Cancelled);
        }
        if let Some(recorded) = llm.recorded_tools() {
            return Ok(recorded);
        }
        let options = ExecOptions {
            concurrency: self.options.concurrency,
            timeout: self.options.tool_timeout,
            mask_error_details: self.options.mask_error_details,
            max_result_bytes: self.options.max_tool_result_bytes,
            step,
        };
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = cancellation.cancelled() => Err(SampleErrorKind::Cancelled),
            () = expired => Err(SampleErrorKind::DeadlineExceeded),
            results = exec::execute(toolset, calls, options) => {
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
        let mut progress = ProgressNotificationParam::new(token, f64::from(step));
        progress.message = Some(format!("sampling step {step}"));
        if let Err(error) = ctx.peer.notify_progress(progress).await {
            tracing::debug!(%error, "could not send a sampling progress notification");
        }
    }
}

fn nudge(type_name: &str) -> String {
    format!(
        "You answered in text, but this task needs a structured `{type_name}`: call the \
         `{FINAL_RESPONSE}` tool with your final answer as its arguments."
    )
}

fn ok_result(id: &str, text: &str) -> SamplingMessageContentBlock {
    SamplingMessageContentBlock::ToolResult(ToolResultContent::new(
        id,
        vec![rmcp::model::ContentBlock::text(text)],
    ))
}

fn error_result(id: &str, text: String) -> SamplingMessageContentBlock {
    SamplingMessageContentBlock::ToolResult(ToolResultContent::error(
        id,
        vec![rmcp::model::ContentBlock::text(text)],
    ))
}
