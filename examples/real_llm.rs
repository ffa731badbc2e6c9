//! A typed sampling loop with a tool call against a real OpenAI-compatible server: what
//! `scripts/real-llm.sh` runs against llama.cpp's `llama-server` and the Gemma 3 270M model.
//!
//! The model is a tiny *base* model: it makes tool calls only because every typed step sends
//! `tool_choice: required`, one worked example (earlier turns) shows the pattern, and the stop
//! sequence `</tool_call>` ends each answer after one call. With a capable model none of that
//! is needed.
//!
//! | variable | meaning |
//! | --- | --- |
//! | `OPENAI_BASE_URL` | the server, e.g. `http://127.0.0.1:8080/v1` |
//! | `OPENAI_MODEL` | the model name (llama.cpp does not check it) |
//! | `MAX_TOKENS` | per LLM call (default 120) |
//! | `PARTS` | which scenarios run, comma-separated: `typed` (default), `cut` (the typed loop without a stop sequence: parallel calls cut by the token limit), `text` (a text answer cut by the limit) |
//!
//! ```sh
//! scripts/real-llm.sh    # builds and starts the server, then runs this
//! ```

use std::time::{Duration, Instant};

use rmcp_sampling::control::LoopUsage;
use rmcp_sampling::message::{Conversation, Message, Role, ToolCall, ToolResult};
use rmcp_sampling::providers::OpenAiHandlerBuilder;
use rmcp_sampling::{Sampler, ToolError, sampling_tool, structured_result};
use serde_json::json;

/// Look up today's weather for a city.
#[sampling_tool]
fn lookup_weather(
    /// The city's name, e.g. "Paris".
    city: String,
) -> Result<String, ToolError> {
    match city.to_lowercase().as_str() {
        "oslo" => Ok("Oslo: -3 °C, snow, wind 20 km/h".into()),
        "cairo" => Ok("Cairo: 31 °C, sunny, wind 5 km/h".into()),
        "paris" => Ok("Paris: 12 °C, rain, wind 15 km/h".into()),
        other => Err(ToolError::new(format!("no weather for {other:?}"))),
    }
}

/// A weather report.
#[structured_result]
#[derive(Debug)]
struct Report {
    /// The city.
    city: String,
    /// The temperature in degrees Celsius.
    temperature_c: i32,
    /// True when it rains or snows.
    precipitation: bool,
}

/// One worked example as earlier turns: a tool call, its result, the final answer.
fn few_shot() -> Conversation {
    let call = |id: &str, name: &str, args: serde_json::Value| {
        let call = ToolCall::new(id, name, args.as_object().cloned().unwrap_or_default());
        Message::new(Role::Assistant, [call.into()])
    };
    let result = |id: &str, text: &str| Message::tool_results([ToolResult::text(id, text)]);
    Conversation::from(vec![
        Message::user("Give me the weather report for Cairo."),
        call("call_ex1", "lookup_weather", json!({"city": "Cairo"})),
        result("call_ex1", "Cairo: 31 °C, sunny, wind 5 km/h"),
        call(
            "call_ex2",
            "final_response",
            json!({"city": "Cairo", "temperature_c": 31, "precipitation": false}),
        ),
        result("call_ex2", "Final response accepted."),
    ])
}

/// Each LLM call of a loop, then the totals.
fn print_usage(usage: &LoopUsage) {
    for step in &usage.steps {
        let tokens = step.tokens.map_or("unknown".to_owned(), |t| {
            format!(
                "{} in ({} cached) / {} out",
                t.input_tokens,
                t.cached_input_tokens.unwrap_or(0),
                t.output_tokens
            )
        });
        println!(
            "  step {}: {} stopped on {}, tokens {tokens}, {} tool call(s), {:.1} s",
            step.step,
            step.model,
            step.stop_reason,
            step.tool_calls,
            step.duration.as_secs_f64()
        );
    }
    println!("  total: {usage}");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let max_tokens: u32 = std::env::var("MAX_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let parts = std::env::var("PARTS").unwrap_or_else(|_| "typed".into());
    let handler = OpenAiHandlerBuilder::from_env()?
        .timeout(Duration::from_secs(600))
        .max_retries(0)
        .build()?;
    // A grammar-constrained step of this tiny model on a loaded machine can take minutes.
    let sampler = Sampler::with_handler(handler)
        .always()
        .llm_timeout(Duration::from_secs(600));

    for part in ["typed", "cut"] {
        if !parts.split(',').any(|p| p.trim() == part) {
            continue;
        }
        // `cut`: no stop sequence, so the model keeps writing parallel calls until the token
        // limit cuts one in the middle (the complete ones are kept).
        let stops: &[&str] = if part == "typed" {
            &["</tool_call>"]
        } else {
            &[]
        };
        let mut messages = few_shot();
        messages.push_user("Give me the weather report for Oslo.");
        let start = Instant::now();
        let outcome = sampler
            .standalone()
            .system_prompt(
                "You are a weather assistant. First call lookup_weather for the city, then call \
                 final_response with the report.",
            )
            .temperature(0.0)
            .max_tokens(max_tokens)
            .stop_sequences(stops.iter().copied())
            .tools([lookup_weather_tool()])
            .max_iterations(6)
            .sample::<Report>(messages)
            .await;
        let elapsed = start.elapsed();
        match outcome {
            Ok(done) => {
                println!(
                    "{part}: {:?} in {:.1} s ({} messages of history)",
                    done.result,
                    elapsed.as_secs_f64(),
                    done.history.len()
                );
                print_usage(&done.usage);
            }
            Err(error) => {
                println!(
                    "{part}: failed after {:.1} s: {error}",
                    elapsed.as_secs_f64()
                );
                print_usage(error.usage());
            }
        }
    }

    if parts.split(',').any(|p| p.trim() == "text") {
        let start = Instant::now();
        let outcome = sampler
            .standalone()
            .temperature(0.0)
            .max_tokens(max_tokens.min(40))
            .sample_text("Write a long story about the weather in Oslo.")
            .await;
        let elapsed = start.elapsed();
        match outcome {
            Ok(done) => {
                println!(
                    "text: {:?} in {:.1} s (truncated: {})",
                    done.text,
                    elapsed.as_secs_f64(),
                    done.is_truncated()
                );
                print_usage(&done.usage);
            }
            Err(error) => {
                println!("text: failed after {:.1} s: {error}", elapsed.as_secs_f64());
                print_usage(error.usage());
            }
        }
    }
    Ok(())
}
