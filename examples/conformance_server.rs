//! A streamable-HTTP MCP server for the official MCP conformance suite
//! (npm `@modelcontextprotocol/conformance`, pinned in `tests/peers/conformance/`): its sampling
//! tools run the rmcp-sampling loop through the client's LLM.
//!
//! | MCP tool | conformance scenario | what it does |
//! | --- | --- | --- |
//! | `test_sampling(prompt)` | `tools-call-sampling` (2025-06-18, 2025-11-25) | a text loop on `prompt` with `maxTokens` 100; returns `LLM response: <text>` |
//! | `test_input_required_result_sampling()` | `input-required-result-basic-sampling` (2026-07-28) | a text loop on "What is the capital of France?" |
//! | `test_input_required_result_capabilities()` | `input-required-result-capability-check` | the same loop: it asks only through the capabilities the request declares |
//! | `test_input_required_result_tampered_state()` | `input-required-result-tampered-state` | the same loop: a retry whose `requestState` fails to open gets `-32602` |
//! | `test_input_required_result_elicitation()` | `input-required-result-basic-elicitation`, `-missing-input-response`, `-result-type`, `-ignore-extra-params`, `-validate-input` | a form (`name`) under the key `user_name`; returns `Hello, <name>!` |
//! | `test_input_required_result_list_roots()` | `input-required-result-basic-list-roots` | the client's roots under the key `client_roots` |
//! | `test_input_required_result_request_state()` | `input-required-result-request-state` | a form (`ok`) under the key `confirm`; returns `state-ok` |
//! | `test_input_required_result_multiple_inputs()` | `input-required-result-multiple-input-requests` | a form, a sampling call and the roots awaited together: one round |
//! | `test_input_required_result_multi_round()` | `input-required-result-multi-round` | two forms one after the other: two rounds, the first answer kept in the journal |
//! | `test_elicitation(message)` | `tools-call-elicitation` (2025-11-25) | a form (`username`, `email`) |
//! | `test_elicitation_sep1034_defaults()` | `elicitation-sep1034-defaults` | a form whose fields have defaults |
//! | `test_elicitation_sep1330_enums()` | `elicitation-sep1330-enums` | a form with the five enum shapes |
//! | prompt `test_input_required_result_prompt` | `input-required-result-non-tool-request` | `prompts/get` that asks the user for a context (key `user_context`) first |
//! | `add_and_report(a, b)` | (our own peer tests) | a typed loop with an `add` tool: returns the `Sum` the LLM reports |
//! | `settle_order(order_id)` | (our own peer tests) | a text loop with a `refund` tool that needs the user's approval: returns the LLM's text |
//!
//! Every tool body is the same on both eras: on 2025-11-25 the loop sends
//! `sampling/createMessage` to the client; on 2026-07-28 it answers with
//! `InputRequiredResult`s (multi round-trip) whose sealed `requestState` carries the loop. The
//! server only uses the client's LLM (`Sampler::new()`, no server-side handler), so a client
//! without the `sampling` capability gets a tool error (`isError: true`) that says so.
//!
//! The key that seals `requestState` comes from `RMCP_SAMPLING_STATE_KEY` (at least 32 bytes):
//! processes that share it resume each other's loops, so a round may land on any replica (rmcp
//! serves 2026-07-28 requests without sessions). Without the variable, each process makes its
//! own random key.
//!
//! ```sh
//! cargo run --example conformance_server -p rmcp-sampling-examples -- 3001
//! # in tests/peers/conformance, after `npm ci` (tests/peers/setup_node.sh):
//! node_modules/.bin/node node_modules/.bin/conformance server \
//!     --url http://127.0.0.1:3001/mcp --scenario tools-call-sampling
//! ```
//!
//! The port is the first argument, else `CONFORMANCE_SERVER_PORT`, else 0 (the system picks a
//! free one). The server listens on 127.0.0.1 only, prints `listening on <url>` on stdout once it
//! accepts connections, logs to stderr (`RUST_LOG`, default `warn`), and stops on Ctrl-C.

use rmcp::handler::server::prompt::IntoGetPromptResult;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, GetPromptRequestParams, GetPromptResponse, GetPromptResult,
    ListPromptsResult, PaginatedRequestParams, Prompt, PromptMessage, RequestStateCodec, Role,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::{
    Elicitation, SampleError, Sampler, SamplingContext, ToolError, ToolReply, sampling_tool,
    structured_result,
};
use serde::Deserialize;
use std::io::Write;

/// The `maxTokens` the `tools-call-sampling` scenario describes.
const MAX_TOKENS: u32 = 100;

/// The question of the `input-required-result-basic-sampling` scenario.
const CAPITAL_QUESTION: &str = "What is the capital of France?";

/// The environment variable that sets the port when no argument does.
const PORT_VAR: &str = "CONFORMANCE_SERVER_PORT";

/// The environment variable holding the key that seals `requestState`.
const STATE_KEY_VAR: &str = "RMCP_SAMPLING_STATE_KEY";

/// Add two integers.
#[sampling_tool]
fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    // The peer tests count this line to check that no round runs a tool twice.
    tracing::info!(a, b, "the add tool ran");
    a.checked_add(b).ok_or(ToolError::new("overflow"))
}

/// Refund an order in full.
#[sampling_tool(approval)]
fn refund(order_id: String) -> String {
    // The peer tests count this line: a refund runs once when approved, never when not.
    tracing::info!("the refund tool ran for order {order_id}");
    format!("refunded {order_id}")
}

/// The sum the LLM reports.
#[structured_result]
struct Sum {
    /// The sum.
    value: i64,
}

/// Arguments of `add_and_report`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// The first number.
    a: i64,
    /// The second number.
    b: i64,
}

/// Arguments of `settle_order`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SettleArgs {
    /// The order that arrived broken.
    order_id: String,
}

/// Arguments of `test_sampling`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SamplingArgs {
    /// The prompt to send to the LLM.
    prompt: String,
}

/// The conformance server: a sampler on the client's LLM, and the MCP tool router.
/// A name.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// A confirmation.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Confirm {
    ok: bool,
}

/// A colour.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Color {
    color: String,
}

/// Who the user is.
#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
struct UserInfo {
    /// User's response
    username: String,
    /// User's email address
    email: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct ElicitationArgs {
    message: String,
}

/// A form whose every field has a default (SEP-1034).
#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
struct Defaults {
    #[serde(default = "default_name")]
    name: String,
    #[serde(default = "default_age")]
    age: i64,
    #[serde(default = "default_score")]
    score: f64,
    #[serde(default)]
    status: Status,
    #[serde(default = "default_verified")]
    verified: bool,
}

fn default_name() -> String {
    "John Doe".into()
}
fn default_age() -> i64 {
    30
}
fn default_score() -> f64 {
    95.5
}
fn default_verified() -> bool {
    true
}

#[derive(Debug, Default, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    #[default]
    Active,
    Inactive,
    Pending,
}

/// The five enum shapes of SEP-1330.
#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Enums {
    untitled_single: Untitled,
    titled_single: Titled,
    legacy_enum: Legacy,
    untitled_multi: Vec<Untitled>,
    #[schemars(schema_with = "titled_multi")]
    titled_multi: Vec<Titled>,
}

#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Untitled {
    Option1,
    Option2,
    Option3,
}

#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Titled {
    #[schemars(title = "First Option")]
    Value1,
    #[schemars(title = "Second Option")]
    Value2,
    #[schemars(title = "Third Option")]
    Value3,
}

#[derive(Debug, serde::Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(extend("enumNames" = ["Option One", "Option Two", "Option Three"]))]
enum Legacy {
    Opt1,
    Opt2,
    Opt3,
}

/// A multi-select of titled options: `anyOf` items, as SEP-1330 spells them.
fn titled_multi(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"anyOf": [
            {"const": "value1", "title": "First Choice"},
            {"const": "value2", "title": "Second Choice"},
            {"const": "value3", "title": "Third Choice"},
        ]},
    })
}

#[derive(Clone)]
struct ConformanceServer {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router(router = tool_router)]
impl ConformanceServer {
    fn new(sampler: Sampler) -> Self {
        Self {
            sampler,
            tool_router: Self::tool_router(),
        }
    }

    /// Asks the client's LLM to answer the prompt; returns "LLM response: <its answer>".
    #[tool]
    async fn test_sampling(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<SamplingArgs>,
    ) -> ToolReply<CallToolResult> {
        self.capital_or(&ctx, args.prompt).await
    }

    /// Asks the client's LLM for the capital of France.
    #[tool]
    async fn test_input_required_result_sampling(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.capital_or(&ctx, CAPITAL_QUESTION.into()).await
    }

    /// The same question, asked only through the capabilities the request declares.
    #[tool]
    async fn test_input_required_result_capabilities(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.capital_or(&ctx, CAPITAL_QUESTION.into()).await
    }

    /// The same question; a retry with a `requestState` that fails to open gets `-32602`.
    #[tool]
    async fn test_input_required_result_tampered_state(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.capital_or(&ctx, CAPITAL_QUESTION.into()).await
    }

    /// Asks the client's LLM to add two numbers with the `add` tool and report the sum.
    #[tool]
    async fn test_input_required_result_elicitation(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let name = ctx
                    .named("user_name")
                    .elicit::<Name>("What is your name?")
                    .await?;
                Ok(text(format!("Hello, {}!", name_of(name))))
            })
            .await
    }

    #[tool]
    async fn test_input_required_result_list_roots(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let roots = ctx.named("client_roots").roots().await?;
                Ok(text(format!("Roots: {}", uris(&roots))))
            })
            .await
    }

    #[tool]
    async fn test_input_required_result_request_state(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let confirmed = ctx
                    .named("confirm")
                    .elicit::<Confirm>("Please confirm")
                    .await?;
                let ok = confirmed.accepted().is_some_and(|c| c.ok);
                Ok(text(format!("state-ok: confirmed={ok}")))
            })
            .await
    }

    #[tool]
    async fn test_input_required_result_multiple_inputs(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let greeting = self.sampler.on(&ctx).max_tokens(50);
                let (name, greeting, roots) = tokio::join!(
                    ctx.named("user_name").elicit::<Name>("What is your name?"),
                    greeting.sample_text("Generate a greeting"),
                    ctx.named("client_roots").roots(),
                );
                Ok(text(format!(
                    "{} {}! Roots: {}",
                    greeting?.text,
                    name_of(name?),
                    uris(&roots?)
                )))
            })
            .await
    }

    #[tool]
    async fn test_input_required_result_multi_round(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let name = ctx
                    .named("step1")
                    .elicit::<Name>("Step 1: What is your name?")
                    .await?;
                let color = ctx
                    .named("step2")
                    .elicit::<Color>("Step 2: What is your favorite color?")
                    .await?;
                let color = color.accepted().map(|c| c.color).unwrap_or_default();
                Ok(text(format!("{} likes {color}", name_of(name))))
            })
            .await
    }

    #[tool]
    async fn test_elicitation(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<ElicitationArgs>,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let answer = ctx.elicit::<UserInfo>(args.message).await?;
                Ok(text(format!("User response: {}", describe(answer))))
            })
            .await
    }

    #[tool]
    async fn test_elicitation_sep1034_defaults(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let answer = ctx.elicit::<Defaults>("Please review your profile").await?;
                Ok(text(format!("Elicitation completed: {}", describe(answer))))
            })
            .await
    }

    #[tool]
    async fn test_elicitation_sep1330_enums(
        &self,
        ctx: SamplingContext,
    ) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(&ctx, async {
                let answer = ctx.elicit::<Enums>("Please choose your options").await?;
                Ok(text(format!("Elicitation completed: {}", describe(answer))))
            })
            .await
    }

    #[tool]
    async fn add_and_report(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<AddArgs>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                let sum = self
                    .sampler
                    .on(&ctx)
                    .system_prompt("Add the numbers with the add tool, then report the sum.")
                    .tools([add_tool()])
                    .sample::<Sum>(format!("What is {} + {}?", args.a, args.b))
                    .await?
                    .result;
                Ok(format!("sum: {}", sum.value))
            })
            .await
    }

    /// Asks the client's LLM to settle a complaint about an order with the `refund` tool, which
    /// runs only once the user approves it (a form elicitation); returns the LLM's final text.
    #[tool]
    async fn settle_order(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<SettleArgs>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .system_prompt("Settle the complaint. Refunds need the user's approval.")
                    .tools([refund_tool()])
                    .sample_text(format!("Order {} arrived broken.", args.order_id))
                    .await?
                    .text)
            })
            .await
    }
}

impl ConformanceServer {
    /// A text loop on `prompt`; "LLM response: <text>".
    async fn capital_or(&self, ctx: &SamplingContext, prompt: String) -> ToolReply<CallToolResult> {
        self.sampler
            .reply(ctx, async {
                let out = self
                    .sampler
                    .on(ctx)
                    .max_tokens(MAX_TOKENS)
                    .sample_text(prompt)
                    .await;
                Ok(llm_response(out.map(|o| o.result)))
            })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ConformanceServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .build(),
        )
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(vec![Prompt::new(
            PROMPT,
            Some("A prompt that asks the user for its context first"),
            None,
        )]))
    }

    // By hand, not through rmcp's prompt router: the router does not hand a prompt the
    // request's `requestState` and `inputResponses`.
    async fn get_prompt(
        &self,
        mut request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name != PROMPT {
            return Err(ErrorData::invalid_params(
                format!("no prompt {:?}", request.name),
                None,
            ));
        }
        let ctx = SamplingContext::for_prompt(ctx, &mut request);
        self.sampler
            .reply(&ctx, async {
                let question = "What context should the prompt use?";
                let answer: Option<PromptContext> = ask(&ctx, "user_context", question).await?;
                let context = answer.map(|c| c.context).unwrap_or_default();
                Ok(GetPromptResult::new(vec![PromptMessage::new_text(
                    Role::User,
                    format!("Context: {context}"),
                )]))
            })
            .await
            .into_get_prompt_result()
    }
}

/// The prompt of `input-required-result-non-tool-request`.
const PROMPT: &str = "test_input_required_result_prompt";

/// What the prompt asks the user.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct PromptContext {
    context: String,
}

/// The LLM's answer as the scenario wants it, or the loop's failure as a tool error.
/// The user's accepted answer to a form under `key`, if they accepted.
async fn ask<T>(ctx: &SamplingContext, key: &str, message: &str) -> Result<Option<T>, SampleError>
where
    T: serde::de::DeserializeOwned + schemars::JsonSchema + 'static,
{
    Ok(ctx.named(key).elicit::<T>(message).await?.accepted())
}

fn text(text: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn name_of(answer: Elicitation<Name>) -> String {
    answer
        .accepted()
        .map_or_else(|| "stranger".into(), |n| n.name)
}

// Roots are deprecated by SEP-2577 and still part of the suite.
#[allow(deprecated)]
fn uris(roots: &[rmcp::model::Root]) -> String {
    let uris: Vec<&str> = roots.iter().map(|r| r.uri.as_str()).collect();
    uris.join(", ")
}

/// `action=<...>, content=<JSON>`, as the suite's documentation words it.
fn describe<T: serde::Serialize>(answer: Elicitation<T>) -> String {
    match answer {
        Elicitation::Accept(content) => format!(
            "action=accept, content={}",
            serde_json::to_string(&content).unwrap_or_default()
        ),
        Elicitation::Decline => "action=decline".into(),
        Elicitation::Cancel => "action=cancel".into(),
    }
}

fn llm_response(out: Result<String, SampleError>) -> CallToolResult {
    match out {
        Ok(text) => {
            CallToolResult::success(vec![ContentBlock::text(format!("LLM response: {text}"))])
        }
        Err(error) => {
            tracing::warn!(%error, "sampling loop failed");
            error.into_tool_result()
        }
    }
}

/// The port to listen on: the first argument, else [`PORT_VAR`], else 0.
fn port_from(arg: Option<String>, var: Option<String>) -> anyhow::Result<u16> {
    let (raw, source) = match (arg, var) {
        (Some(arg), _) => (arg, "the first argument"),
        (None, Some(var)) => (var, PORT_VAR),
        (None, None) => return Ok(0),
    };
    raw.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{source} must be a port number (0-65535), got {raw:?}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let port = port_from(std::env::args().nth(1), std::env::var(PORT_VAR).ok())?;
    let mut sampler = Sampler::new();
    if let Ok(key) = std::env::var(STATE_KEY_VAR) {
        let codec = RequestStateCodec::try_new(key.into_bytes())
            .map_err(|e| anyhow::anyhow!("{STATE_KEY_VAR}: {e}"))?;
        sampler = sampler.state_codec(codec);
    }

    // Requests on 2026-07-28 are served statelessly (SEP-2567); older ones keep their sessions,
    // which the push channel needs.
    let config = StreamableHttpServerConfig::default();
    let shutdown = config.cancellation_token.clone();
    let service: StreamableHttpService<ConformanceServer, LocalSessionManager> =
        StreamableHttpService::new(
            move || Ok(ConformanceServer::new(sampler.clone())),
            Default::default(),
            config,
        );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{address}/mcp")?;
    stdout.flush()?;
    drop(stdout);

    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot wait for Ctrl-C; stopping");
            }
            // Closes the open SSE streams, so the graceful shutdown does not wait for them.
            shutdown.cancel();
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::port_from;

    #[test]
    fn the_argument_wins_over_the_variable() {
        assert_eq!(
            port_from(Some("3001".into()), Some("4000".into())).ok(),
            Some(3001)
        );
        assert_eq!(port_from(None, Some(" 4000 ".into())).ok(), Some(4000));
        assert_eq!(port_from(None, None).ok(), Some(0));
    }

    #[test]
    fn a_bad_port_is_an_error_that_names_its_source() {
        let error = port_from(Some("http".into()), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("first argument") && error.contains("\"http\""),
            "{error}"
        );
        let error = port_from(None, Some("70000".into()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("CONFORMANCE_SERVER_PORT"), "{error}");
    }
}
