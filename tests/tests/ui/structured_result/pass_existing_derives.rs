// Types that already derive some or all of Serialize/Deserialize/JsonSchema, spelled with
// any path, keep their derives: the macro adds only the missing ones.
use rmcp_sampling::{StructuredResult, structured_result};
use serde::Deserialize;

/// Everything derived already, with the user's own serde/schemars paths.
#[structured_result]
#[derive(serde::Serialize, Deserialize, schemars::JsonSchema)]
struct All {
    a: u32,
}

/// Only `JsonSchema` derived.
#[structured_result]
#[derive(schemars::JsonSchema)]
struct OnlySchema {
    b: String,
}

/// Only `Deserialize` derived, with a container attribute.
#[structured_result]
#[derive(Deserialize, Debug)]
#[serde(rename_all = "UPPERCASE")]
struct OnlyDe {
    c: bool,
}

fn typed<T: StructuredResult>() -> &'static str {
    T::type_name()
}

fn main() {
    assert_eq!(typed::<All>(), "All");
    assert_eq!(typed::<OnlySchema>(), "OnlySchema");
    assert_eq!(typed::<OnlyDe>(), "OnlyDe");
}
