// `#[arg(default)]` needs a type with a default value; the error points at the parameter type.
use rmcp_sampling::sampling_tool;

#[derive(serde::Deserialize, schemars::JsonSchema)]
enum Mode {
    Fast,
    Slow,
}

/// Run.
#[sampling_tool]
fn run(#[arg(default)] mode: Mode) -> bool {
    matches!(mode, Mode::Fast)
}

fn main() {}
