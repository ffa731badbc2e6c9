// Plain serde + schemars derives make a typed result; `#[structured_result]` on nested types
// derives them too.
use rmcp_sampling::{StructuredResult, structured_result};

/// A plan.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Plan {
    name: String,
    limits: Limits,
}

/// Limits of a plan.
#[structured_result]
struct Limits {
    seats: u32,
}

fn typed<T: StructuredResult>() -> &'static str {
    T::type_name()
}

fn main() {
    assert_eq!(typed::<Plan>(), "Plan");
    assert_eq!(typed::<Vec<Plan>>(), "Vec<Plan>");
    assert_eq!(typed::<Limits>(), "Limits");
}
