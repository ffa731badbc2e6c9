//! The demo: an MCP server whose tool runs a sampling loop, and an in-process MCP client whose
//! scripted LLM calls the server's sampling tools over several steps, then answers with a typed
//! result. No API key, no network.
//!
//! ```sh
//! cargo run --example demo
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process, reply};
use rmcp_sampling::{LlmRequest, Sampler, ToolError, sampling_tool, structured_result};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An order as the shop's database knows it.
#[derive(Debug, Serialize)]
struct Order {
    id: String,
    item: String,
    carrier: String,
    tracking: String,
}

/// Look up an order by its id.
#[sampling_tool]
fn lookup_order(
    /// The order id, like "A-1001".
    order_id: String,
) -> Result<Order, ToolError> {
    match order_id.as_str() {
        "A-1001" => Ok(Order {
            id: order_id,
            item: "espresso machine".into(),
            carrier: "ParcelCo".into(),
            tracking: "PC-778".into(),
        }),
        other => Err(ToolError::new(format!("no order with id {other:?}"))),
    }
}

/// Ask the carrier when a parcel will arrive.
#[sampling_tool]
async fn shipping_eta(carrier: String, tracking: String) -> String {
    tokio::task::yield_now().await;
    format!("{carrier} parcel {tracking}: out for delivery, arrives tomorrow before noon")
}

/// The reply to a customer's ticket.
#[structured_result]
#[derive(Debug)]
struct TicketReply {
    /// What the agent tells the customer.
    message: String,
    /// Whether a refund is due.
    refund: bool,
}

/// The ticket a `answer_ticket` call carries.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Ticket {
    /// The customer's message.
    text: String,
}

/// A support-desk MCP server with one tool that asks the client's LLM for a typed reply.
#[derive(Clone)]
struct SupportDesk {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl SupportDesk {
    fn new() -> Self {
        Self {
            sampler: Sampler::new(),
            tool_router: Self::tool_router(),
        }
    }

    /// Answer a support ticket with the help of the client's LLM.
    #[tool]
    async fn answer_ticket(
        &self,
        Parameters(ticket): Parameters<Ticket>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reply = self
            .sampler
            .on(&ctx)
            .system_prompt("You are a support agent. Use the tools, then reply.")
            .tools([lookup_order_tool(), shipping_eta_tool()])
            .sample::<TicketReply>(ticket.text)
            .await?;
        Ok(CallToolResult::success(vec![ContentBlock::text(
            reply.text,
        )]))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SupportDesk {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The client's LLM: a script that looks the order up, asks the carrier, then replies.
fn scripted_llm() -> ScriptedLlm {
    let step = Arc::new(AtomicUsize::new(0));
    ScriptedLlm::from_fn(move |request: &LlmRequest| {
        let n = step.fetch_add(1, Ordering::SeqCst) + 1;
        println!(
            "\n── LLM request {n}: {} messages, tools offered: {:?}, tool_choice: {:?}",
            request.messages.len(),
            request.tool_names(),
            request.tool_choice
        );
        for result in request.tool_results() {
            println!(
                "   tool result {}{}: {}",
                result.call_id,
                if result.is_error { " (error)" } else { "" },
                result.text_content()
            );
        }
        let answer = match n {
            1 => reply::tool_use("call_1", "lookup_order", json!({"order_id": "A-1001"})),
            2 => {
                let order: serde_json::Value =
                    serde_json::from_str(&request.tool_results()[0].text_content())
                        .map_err(|e| rmcp_sampling::HandlerError::other(e.to_string()))?;
                reply::tool_use(
                    "call_2",
                    "shipping_eta",
                    json!({"carrier": order["carrier"], "tracking": order["tracking"]}),
                )
            }
            _ => reply::tool_use(
                "call_3",
                "final_response",
                json!({
                    "message": "Your espresso machine is out for delivery and arrives tomorrow before noon.",
                    "refund": false
                }),
            ),
        };
        for call in answer.message.tool_calls() {
            println!(
                "   LLM calls {}({})",
                call.name,
                serde_json::Value::Object(call.arguments.clone())
            );
        }
        Ok(answer)
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // The server and the client talk over an in-memory pipe, as they would over stdio.
    let llm = scripted_llm();
    let client = connect_in_process(SupportDesk::new(), SamplingClient::new(llm.clone())).await?;
    let ticket = "Where is my order A-1001? It should have arrived by now.";
    println!("Ticket: {ticket}");
    let result = client
        .call_tool(
            CallToolRequestParams::new("answer_ticket").with_arguments(
                json!({"text": ticket})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        )
        .await?;
    let text = result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let typed: serde_json::Value = serde_json::from_str(&text)?;
    println!("\n══ Final answer ({} LLM requests):", llm.request_count());
    println!("{}", serde_json::to_string_pretty(&typed)?);
    client.cancel().await?;
    Ok(())
}
