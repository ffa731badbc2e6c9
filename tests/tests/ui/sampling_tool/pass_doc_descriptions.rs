// Descriptions from `#[doc = include_str!(..)]` and `#[doc = concat!(..)]`, on the function and
// on a parameter.
use rmcp_sampling::sampling_tool;

#[doc = include_str!("description.md")]
#[sampling_tool]
fn to_fahrenheit(
    #[doc = concat!("Degrees ", "Celsius.")]
    celsius: f64,
) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

/// First line.
#[doc = concat!("Second ", "line.")]
#[sampling_tool]
fn mixed() {}

fn main() {
    let tool = to_fahrenheit_tool();
    assert_eq!(
        tool.description(),
        Some("Convert a temperature from Celsius to Fahrenheit.\n")
    );
    assert_eq!(
        tool.input_schema()["properties"]["celsius"]["description"],
        "Degrees Celsius."
    );
    assert_eq!(mixed_tool().description(), Some("First line.\nSecond line."));
}
