// A field type that is serde-ready but has no `JsonSchema`: the error points at that field's type.
use rmcp_sampling::structured_result;

#[derive(serde::Serialize, serde::Deserialize)]
struct Customer {
    email: String,
}

/// The triage of a ticket.
#[structured_result]
struct Triage {
    summary: String,
    customer: Customer,
}

fn main() {}
