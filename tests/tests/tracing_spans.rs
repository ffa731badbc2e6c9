//! The loop's `tracing` spans: one per LLM call and one per tool call, with the fields an
//! operator needs to follow a loop (step, channel, tool, call id, error).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use rmcp_sampling::testing::ScriptedLlm;
use rmcp_sampling::{Sampler, ToolError, sampling_tool};
use serde_json::json;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// Records each span as `name{field=value ...}`, with fields recorded later appended.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(u64, String)>>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut line = attrs.metadata().name().to_owned();
        attrs.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push((id.into_u64(), line));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, line)) = spans
            .iter_mut()
            .rev()
            .find(|(span, _)| *span == id.into_u64())
        {
            values.record(&mut Fields(line));
        }
    }
}

/// Divide two integers.
#[sampling_tool]
fn divide(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_div(b).ok_or(ToolError::new("division by zero"))
}

#[tokio::test]
async fn every_llm_call_and_tool_call_has_a_span() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(recorder.clone()));
    let llm = ScriptedLlm::new()
        .then_tool_uses([
            ("divide", json!({"a": 6, "b": 3})),
            ("divide", json!({"a": 1, "b": 0})),
        ])
        .then_text("2, and the other is impossible");
    let sampler = Sampler::with_handler(llm);
    sampler
        .standalone()
        .tools([divide_tool()])
        .sample_text("divide")
        .await
        .unwrap();
    let spans: Vec<String> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(_, s)| s.clone())
        .collect();
    let llm_calls: Vec<&String> = spans.iter().filter(|s| s.starts_with("chat ")).collect();
    assert_eq!(llm_calls.len(), 2, "{spans:#?}");
    assert!(
        llm_calls[0].contains("step=1") && llm_calls[0].contains("channel=\"handler\""),
        "{spans:#?}"
    );
    assert!(
        llm_calls[1].contains("step=2") && llm_calls[1].contains("messages=3"),
        "{spans:#?}"
    );
    // OpenTelemetry GenAI names and attributes.
    assert!(
        llm_calls[0].contains("otel.name=\"chat scripted-llm\"")
            && llm_calls[0].contains("gen_ai.operation.name=\"chat\"")
            && llm_calls[0].contains("gen_ai.response.finish_reasons=\"toolUse\""),
        "{spans:#?}"
    );
    let tool_calls: Vec<&String> = spans
        .iter()
        .filter(|s| s.starts_with("execute_tool "))
        .collect();
    assert_eq!(tool_calls.len(), 2, "{spans:#?}");
    assert!(
        tool_calls[0].contains("tool=divide") && tool_calls[0].contains("call_id=call_1"),
        "{spans:#?}"
    );
    assert!(!tool_calls[0].contains("error="), "{spans:#?}");
    assert!(
        tool_calls[0].contains("otel.name=execute_tool divide")
            && tool_calls[0].contains("gen_ai.tool.call.id=call_1"),
        "{spans:#?}"
    );
    assert!(
        tool_calls[1].contains("call_id=call_2")
            && tool_calls[1].contains("error=division by zero"),
        "{spans:#?}"
    );
}
