//! The user's approval before a sampling tool runs: which calls need it, how the user is asked
//! (a form elicitation naming the tool and its arguments), and what the LLM reads when a call
//! is not approved.

use std::sync::Arc;

use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::DEFAULT_INPUT_TIMEOUT;
use crate::channel::ask::Ask;
use crate::channel::llm::Llm;
use crate::channel::push::CallLimit;
use crate::error::SampleErrorKind;
use crate::message::{ToolCall, ToolResult};
use crate::tools::toolset::Toolset;

/// What a loop does with a tool call that needs approval when the user cannot be asked: the
/// client did not declare the `elicitation` capability, or there is no client (a standalone
/// loop). Set with [`SampleRequest::without_elicitation`](crate::SampleRequest::without_elicitation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NoElicitation {
    /// The call does not run; the LLM reads an error result saying that it needs an approval
    /// nobody could give, and the loop goes on (the default: a tool marked for approval never
    /// runs unapproved, and the loop still ends with an answer).
    #[default]
    Deny,
    /// The call runs as if approved (for tools whose approval is a courtesy).
    Allow,
    /// The loop fails with [`SampleErrorKind::ApprovalUnavailable`].
    Fail,
}

/// A predicate on a tool call: whether it needs the user's approval.
pub(crate) type ApprovalRule = Arc<dyn Fn(&ToolCall) -> bool + Send + Sync>;

/// Which tool calls of a loop need the user's approval, and what happens when nobody can be
/// asked.
#[derive(Clone, Default)]
pub(crate) struct Approvals {
    /// Beside the tools marked `approval`, the calls for which this holds.
    pub when: Option<ApprovalRule>,
    pub without_elicitation: NoElicitation,
}

impl std::fmt::Debug for Approvals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approvals")
            .field("when", &self.when.is_some())
            .field("without_elicitation", &self.without_elicitation)
            .finish()
    }
}

/// The most characters of a call's arguments shown to the user: the LLM writes them, and a
/// form message is no place for megabytes.
const MAX_SHOWN_ARGUMENTS: usize = 2000;

/// For each call of a batch, in order: `None` when it may run, or the text the LLM reads
/// instead of its result. All approvals of the batch are asked together (one round on
/// 2026-07-28).
pub(crate) async fn gate(
    llm: &Llm<'_>,
    toolset: &Toolset<'_>,
    calls: &[&ToolCall],
    approvals: &Approvals,
    deadline: Option<Instant>,
) -> Result<Vec<Option<String>>, SampleErrorKind> {
    let mut verdicts = vec![None; calls.len()];
    // Most loops have no tool that needs approval: then no call is looked up.
    if approvals.when.is_none() && !toolset.iter().any(|tool| tool.requires_approval()) {
        return Ok(verdicts);
    }
    let needed: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, call)| {
            toolset.get(&call.name).is_some_and(|tool| {
                tool.requires_approval() || approvals.when.as_ref().is_some_and(|when| when(call))
            })
        })
        .map(|(position, _)| position)
        .collect();
    let Some(&first) = needed.first() else {
        return Ok(verdicts);
    };
    let can_ask = llm
        .context()
        .is_some_and(|ctx| request(calls[first]).supported_by(ctx.client_capabilities().as_ref()));
    if !can_ask {
        match approvals.without_elicitation {
            NoElicitation::Allow => {}
            NoElicitation::Fail => {
                return Err(SampleErrorKind::ApprovalUnavailable {
                    tool: calls[first].name.clone(),
                });
            }
            NoElicitation::Deny => {
                for &position in &needed {
                    verdicts[position] = Some(format!(
                        "Tool '{}' needs the user's approval, and the user cannot be asked \
                         here: the call did not run.",
                        calls[position].name
                    ));
                }
            }
        }
        return Ok(verdicts);
    }
    let asks = needed
        .iter()
        .map(|&position| (position, request(calls[position])))
        .collect();
    let limit = CallLimit {
        timeout: DEFAULT_INPUT_TIMEOUT,
        deadline,
    };
    let answers = llm.await_approvals(asks, limit).await?;
    for (&position, answer) in needed.iter().zip(&answers) {
        verdicts[position] = refusal(&calls[position].name, answer);
    }
    Ok(verdicts)
}

/// The results of a batch in the order of its calls: those that ran (`results`, in order)
/// and, for each call that did not, its refusal as an error result.
pub(crate) fn with_refusals(
    calls: &[&ToolCall],
    refusals: Vec<Option<String>>,
    results: Vec<ToolResult>,
) -> Vec<ToolResult> {
    if refusals.iter().all(Option::is_none) {
        // Everything ran (the usual batch): the results are already in the calls' order.
        return results;
    }
    let mut ran = results.into_iter();
    calls
        .iter()
        .zip(refusals)
        .filter_map(|(call, refusal)| match refusal {
            Some(text) => Some(ToolResult::error(call.id.clone(), text)),
            None => ran.next(),
        })
        .collect()
}

/// The form that asks the user to approve one call.
fn request(call: &ToolCall) -> Ask {
    let mut arguments = serde_json::to_string_pretty(&call.arguments).unwrap_or_default();
    if arguments.chars().count() > MAX_SHOWN_ARGUMENTS {
        arguments = arguments.chars().take(MAX_SHOWN_ARGUMENTS).collect();
        arguments.push_str("\n…");
    }
    let schema = json!({
        "type": "object",
        "properties": {
            "approve": {
                "type": "boolean",
                "title": "Approve",
                "description": format!("Let tool '{}' run with these arguments", call.name),
                "default": true,
            }
        },
    });
    Ask::Elicit(Box::new(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!(
            "The assistant wants to run tool '{}' with these arguments:\n{arguments}\nApprove?",
            call.name
        ),
        // A fixed schema of one boolean, within what elicitation allows (a unit test checks
        // that it parses); were it refused, an empty form still asks accept or decline.
        requested_schema: serde_json::from_value(schema)
            .unwrap_or_else(|_| ElicitationSchema::new(Default::default())),
    }))
}

/// `None` when the user approved, else what the LLM reads. Approved means accepted with
/// `approve` true or left out; an answer that cannot be read counts as a refusal.
fn refusal(tool: &str, answer: &Value) -> Option<String> {
    let result: Option<ElicitResult> = serde_json::from_value(answer.clone()).ok();
    let action = result.as_ref().map(|r| &r.action);
    let approve = result
        .as_ref()
        .and_then(|r| r.content.as_ref())
        .and_then(|content| content.get("approve"));
    match (action, approve) {
        (Some(ElicitationAction::Accept), None | Some(Value::Bool(true))) => None,
        (Some(ElicitationAction::Accept), Some(Value::Bool(false)))
        | (Some(ElicitationAction::Decline), _) => Some(format!(
            "The user declined to run tool '{tool}' with these arguments: the call did not run."
        )),
        (Some(ElicitationAction::Cancel), _) => Some(format!(
            "The user dismissed the approval of tool '{tool}': the call did not run."
        )),
        _ => Some(format!(
            "The user's approval of tool '{tool}' could not be read: the call did not run."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_acceptance_that_does_not_say_no_approves() {
        let refused = |answer: Value| refusal("refund", &answer);
        assert_eq!(refused(json!({"action": "accept"})), None);
        assert_eq!(
            refused(json!({"action": "accept", "content": {"approve": true}})),
            None
        );
        for (answer, says) in [
            (
                json!({"action": "accept", "content": {"approve": false}}),
                "declined",
            ),
            (json!({"action": "decline"}), "declined"),
            (json!({"action": "cancel"}), "dismissed"),
            (
                json!({"action": "accept", "content": {"approve": "yes"}}),
                "could not be read",
            ),
            (json!({"action": "maybe"}), "could not be read"),
        ] {
            let text = refused(answer.clone()).unwrap_or_default();
            assert!(
                text.contains(says) && text.contains("'refund'"),
                "{answer}: {text}"
            );
        }
    }

    #[test]
    fn the_form_shows_the_tool_and_cut_arguments() {
        let call = ToolCall::new(
            "c1",
            "refund",
            json!({"note": "x".repeat(5000)})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let Ask::Elicit(params) = request(&call) else {
            panic!("a form");
        };
        let ElicitRequestParams::FormElicitationParams {
            message,
            requested_schema,
            ..
        } = *params
        else {
            panic!("a form");
        };
        assert!(
            message.contains("'refund'") && message.len() < 2200,
            "{}",
            message.len()
        );
        assert!(requested_schema.properties.contains_key("approve"));
    }
}
