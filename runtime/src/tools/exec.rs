//! Running the tools an LLM asked for: order, concurrency, timeouts, panics, masking.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use tracing::Instrument;

use crate::limits::cut_tool_result;
use crate::message::{ToolCall, ToolResult};
use crate::tools::tool::{ToolCallError, ToolCallErrorKind, ToolOutput};
use crate::tools::toolset::Toolset;

/// How many tool calls of one LLM response run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Concurrency {
    /// One at a time, in the order of the calls (the default).
    #[default]
    Sequential,
    /// At most this many at once (0 and 1 mean one at a time).
    Limited(usize),
    /// All at once.
    Unlimited,
}

/// How tools run in one step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExecOptions {
    pub concurrency: Concurrency,
    pub timeout: Option<Duration>,
    pub mask_error_details: bool,
    /// The most bytes of one result's text sent back to the LLM.
    pub max_result_bytes: usize,
    pub step: u32,
}

/// Runs `calls` and returns one result per call, in the order of the calls. Every
/// failure becomes an `is_error` result; nothing here fails the loop.
pub(crate) async fn execute(
    toolset: &Toolset<'_>,
    calls: &[&ToolCall],
    options: ExecOptions,
) -> Vec<ToolResult> {
    // Calls are looked up only when some tool of the set must run alone.
    let forced_sequential = toolset.iter().any(|tool| tool.is_sequential())
        && calls
            .iter()
            .any(|call| toolset.get(&call.name).is_some_and(|t| t.is_sequential()));
    let limit = match options.concurrency {
        _ if forced_sequential || calls.len() < 2 => 1,
        Concurrency::Sequential => 1,
        Concurrency::Limited(n) => n.max(1),
        Concurrency::Unlimited => calls.len(),
    };
    // Collected, so no closure over `&&ToolCall` lives across an await: that closure's
    // higher-ranked lifetimes would make the loop's future not provably `Send` (rmcp's
    // `#[tool]` futures must be).
    let runs: Vec<_> = calls
        .iter()
        .map(|call| run_one(toolset, call, options))
        .collect();
    if limit == 1 {
        let mut results = Vec::with_capacity(calls.len());
        for run in runs {
            results.push(run.await);
        }
        results
    } else if limit >= runs.len() {
        // All at once, in the order of the calls: `join_all` polls a small batch in place,
        // with no task allocated per call (a large one goes through `FuturesOrdered`).
        futures::future::join_all(runs).await
    } else {
        // `buffered` keeps the order of the calls whatever order they finish in.
        futures::stream::iter(runs).buffered(limit).collect().await
    }
}

async fn run_one(toolset: &Toolset<'_>, call: &ToolCall, options: ExecOptions) -> ToolResult {
    // Named after the OpenTelemetry GenAI conventions: `execute_tool {name}`.
    let span = tracing::info_span!(
        "execute_tool",
        otel.name = %format_args!("execute_tool {}", call.name),
        gen_ai.operation.name = "execute_tool",
        gen_ai.tool.name = %call.name,
        gen_ai.tool.call.id = %call.id,
        tool = %call.name,
        call_id = %call.id,
        step = options.step,
        error = tracing::field::Empty,
    );
    // Reading the clock twice per call is only worth it for a log someone reads.
    let started = tracing::enabled!(tracing::Level::DEBUG).then(std::time::Instant::now);
    let outcome = invoke(toolset, call, options.timeout)
        .instrument(span.clone())
        .await;
    if let Some(started) = started {
        tracing::debug!(
            parent: &span,
            tool = %call.name,
            call_id = %call.id,
            step = options.step,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            is_error = outcome.is_err(),
            "tool call finished"
        );
    }
    match outcome {
        Ok(output) => ToolResult::text(
            call.id.clone(),
            cut_tool_result(output.into_text(), options.max_result_bytes),
        ),
        Err(error) => {
            span.record("error", tracing::field::display(&error));
            tracing::warn!(parent: &span, tool = %call.name, error = %error, "sampling tool failed");
            let text = message_for_llm(&call.name, &error, options.mask_error_details);
            let text = cut_tool_result(text, options.max_result_bytes);
            ToolResult::error(call.id.clone(), text)
        }
    }
}

async fn invoke(
    toolset: &Toolset<'_>,
    call: &ToolCall,
    timeout: Option<Duration>,
) -> Result<ToolOutput, ToolCallError> {
    let Some(tool) = toolset.get(&call.name) else {
        let available: Vec<&str> = toolset.iter().map(|t| t.name()).collect();
        return Err(ToolCallError::new(
            ToolCallErrorKind::UnknownTool,
            format!(
                "Unknown tool '{}'. Available tools: {}",
                call.name,
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
        ));
    };
    // Both making the future (argument decoding, a sync closure) and polling it may panic.
    let future = std::panic::catch_unwind(AssertUnwindSafe(|| tool.call(&call.arguments)))
        .map_err(|panic| panicked(&call.name, panic))?;
    let guarded = AssertUnwindSafe(future).catch_unwind();
    let finished = match timeout {
        Some(limit) => match tokio::time::timeout(limit, guarded).await {
            Ok(finished) => finished,
            Err(_) => {
                return Err(ToolCallError::new(
                    ToolCallErrorKind::TimedOut,
                    format!("Tool '{}' timed out after {limit:?}", call.name),
                ));
            }
        },
        None => guarded.await,
    };
    finished.map_err(|panic| panicked(&call.name, panic))?
}

fn panicked(name: &str, panic: Box<dyn Any + Send>) -> ToolCallError {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".to_owned());
    ToolCallError::new(
        ToolCallErrorKind::Panicked,
        format!("Tool '{name}' panicked: {detail}"),
    )
}

/// The text of an `is_error` result. Masked, only public messages pass.
fn message_for_llm(name: &str, error: &ToolCallError, mask: bool) -> String {
    match error.kind() {
        _ if mask && !error.is_public() => format!("Error executing tool '{name}'"),
        ToolCallErrorKind::Failed { public: true } | ToolCallErrorKind::UnknownTool => {
            error.message().to_owned()
        }
        ToolCallErrorKind::InvalidArguments => {
            format!("Invalid arguments for tool '{name}': {}", error.message())
        }
        ToolCallErrorKind::Failed { public: false } => {
            format!("Error executing tool '{name}': {}", error.message())
        }
        _ => error.message().to_owned(),
    }
}
