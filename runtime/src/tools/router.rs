//! A server's own rmcp `#[tool]`s, reused as sampling tools inside the loop.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{CallToolRequestParams, CallToolResponse, ContentBlock, JsonObject};
use rmcp::service::RequestContext;

use crate::tools::tool::{SamplingTool, ToolCallError, ToolCallErrorKind, ToolOutput};

/// The tools of an rmcp [`ToolRouter`] as sampling tools, so the LLM can call the server's
/// own MCP tools during a loop. Each call runs through the router exactly as a `tools/call`
/// would (argument validation included) with `service` and the current request's context.
///
/// Only tools that complete in one call can be reused: a tool that answers with an
/// `InputRequiredResult` or a task becomes an error for the LLM. `filter` picks the tools to
/// offer by name.
///
/// ```no_run
/// # use rmcp_sampling::{Sampler, tools::tools_from_router};
/// # use rmcp::{RoleServer, service::RequestContext, handler::server::router::tool::ToolRouter};
/// # async fn example<S: Send + Sync + 'static>(sampler: &Sampler, server: &S, router: &ToolRouter<S>, ctx: RequestContext<RoleServer>) {
/// let tools = tools_from_router(router, server, &ctx, |name| name != "ask_llm");
/// let answer = sampler.on(&ctx).tools(tools).sample_text("Use the tools.").await;
/// # }
/// ```
pub fn tools_from_router<'a, S>(
    router: &'a ToolRouter<S>,
    service: &'a S,
    ctx: &'a RequestContext<RoleServer>,
    filter: impl Fn(&str) -> bool,
) -> Vec<SamplingTool<'a>>
where
    S: Send + Sync + 'static,
{
    router
        .list_all()
        .into_iter()
        .filter(|tool| filter(&tool.name))
        .map(|tool| {
            let name = tool.name.clone();
            let call_name = name.clone();
            let sampling = SamplingTool::from_raw(
                name,
                Arc::new(crate::schema::with_required_array(&tool.input_schema)),
                move |args: &JsonObject| {
                    let name = call_name.clone();
                    // rmcp's call takes its arguments by value.
                    let args = args.clone();
                    Box::pin(async move {
                        let params = CallToolRequestParams::new(name.clone()).with_arguments(args);
                        let context = ToolCallContext::new(service, params, ctx.clone());
                        match router.call(context).await {
                            Ok(CallToolResponse::Complete(result)) => {
                                let text = content_text(&result.content, result.structured_content.as_ref());
                                if result.is_error == Some(true) {
                                    Err(ToolCallError::failed(text, false))
                                } else {
                                    Ok(ToolOutput::text(text))
                                }
                            }
                            Ok(_) => Err(ToolCallError::failed(
                                format!("the MCP tool '{name}' needs more than one round and cannot be used in a sampling loop"),
                                false,
                            )),
                            Err(error) if error.code == rmcp::model::ErrorCode::INVALID_PARAMS => {
                                Err(ToolCallError::new(ToolCallErrorKind::InvalidArguments, error.message))
                            }
                            Err(error) => Err(ToolCallError::failed(error.message, false)),
                        }
                    })
                },
            );
            match tool.description {
                Some(description) => sampling.with_description(description),
                None => sampling,
            }
        })
        .collect()
}

/// The text blocks of a tool result joined; the structured content when there is no text.
fn content_text(content: &[ContentBlock], structured: Option<&serde_json::Value>) -> String {
    let texts: Vec<&str> = content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect();
    match (texts.is_empty(), structured) {
        (true, Some(value)) => value.to_string(),
        _ => texts.join("\n"),
    }
}
