// The common forms compile under strict lints: docs, `#[serde]`/`#[schemars]` attributes,
// enums of every representation, a newtype, the arguments.
#![deny(missing_docs, unused_qualifications)]
//! Structured results.

use rmcp_sampling::{StructuredResult, structured_result};

/// How bad a ticket is.
#[structured_result]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Can wait.
    Low,
    /// Now.
    High,
}

/// Classify a support ticket.
#[structured_result]
#[derive(Debug)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    /// How bad.
    pub severity: Severity,
    /// The team to route to.
    #[schemars(length(min = 1, max = 40))]
    pub team: String,
    /// Confidence.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub score: f64,
    /// Free-form notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A shape.
#[structured_result(name = "Shape", description = "A geometric shape.")]
#[serde(tag = "kind", content = "data")]
pub enum Shape {
    /// A circle.
    Circle(f64),
    /// A square.
    Square {
        /// Side length.
        side: f64,
    },
}

/// Untagged alternatives with data.
#[structured_result]
#[serde(untagged)]
pub enum Amount {
    /// A number.
    Exact(u64),
    /// A range.
    Range {
        /// Low end.
        from: u64,
        /// High end.
        to: u64,
    },
    /// Unknown.
    Unknown,
}

/// A score out of ten.
#[structured_result]
pub struct Score(#[schemars(range(max = 10))] pub u8);

fn typed<T: StructuredResult>() -> &'static str {
    T::type_name()
}

fn main() {
    assert_eq!(typed::<Triage>(), "Triage");
    assert_eq!(typed::<Shape>(), "Shape");
    assert_eq!(typed::<Amount>(), "Amount");
    assert_eq!(typed::<Score>(), "Score");
    assert_eq!(typed::<Severity>(), "Severity");
}
