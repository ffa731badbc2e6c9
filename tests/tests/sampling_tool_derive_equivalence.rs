//! `#[sampling_tool]` decodes arguments and builds the input schema without deriving an
//! arguments type (issue 13: build cost). This test holds it to the derived type it stands for:
//! for each tool, the `Deserialize + JsonSchema` struct written by hand with the serde and
//! schemars attributes the parameters imply, through `SamplingTool::from_fn`. The schemas must
//! be equal (key order included), and every argument object must decode, or fail with the
//! same message, the same way.

use rmcp_sampling::{SamplingTool, ToolError, sampling_tool};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A point.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Across.
    pub x: f64,
    /// Down.
    pub y: f64,
}

/// A tree: recursive, so its schema is a `$defs` entry even with inlined subschemas.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tree {
    /// The label.
    pub label: String,
    /// The children.
    pub children: Vec<Tree>,
}

/// A mode without `Serialize`: its default gets no `default` in the schema.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub enum Mode {
    /// Fast.
    #[default]
    Fast,
    /// Slow.
    Slow,
}

/// An alias of an `Option`: not spelled `Option`, so the parameter is required.
pub type MaybeCount = Option<u32>;

/// Everything a parameter can be.
#[sampling_tool]
#[allow(clippy::too_many_arguments)]
pub fn everything(
    /// # Where
    ///
    /// The point to start from.
    point: Point,
    /// Points to visit,
    /// in order.
    path: Vec<Point>,
    #[arg(description = "How many.", rename = "n")] count: Option<u32>,
    #[arg(default)] verbose: bool,
    #[arg(default)] mode: Mode,
    tree: Option<Tree>,
    maybe: MaybeCount,
    #[arg(default, rename = "r#type")] r#type: String,
) -> Result<String, ToolError> {
    let _ = (point, path, count, verbose, mode, tree, maybe, r#type);
    Ok("ok".into())
}

/// Nothing to fill in.
#[sampling_tool]
pub fn nothing() {}

fn default_false() -> bool {
    false
}
fn default_mode() -> Mode {
    Mode::default()
}
fn default_string() -> String {
    String::new()
}

/// The arguments type the macro used to derive for `everything`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EverythingArgs {
    /// # Where
    ///
    /// The point to start from.
    point: Point,
    /// Points to visit,
    /// in order.
    path: Vec<Point>,
    #[schemars(description = "How many.")]
    #[serde(rename = "n")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(default = "default_false")]
    verbose: bool,
    #[serde(default = "default_mode")]
    mode: Mode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tree: Option<Tree>,
    #[serde(deserialize_with = "required_option")]
    #[schemars(schema_with = "required_option_schema")]
    maybe: MaybeCount,
    #[serde(rename = "r#type", default = "default_string")]
    kind: String,
}

/// What `deserialize_with` did for a parameter not spelled `Option`: missing is an error.
fn required_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<MaybeCount, D::Error> {
    MaybeCount::deserialize(d)
}

/// What `schema_with` did for it: the type's schema, and the parameter stays required.
fn required_option_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.subschema_for::<MaybeCount>()
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NothingArgs {}

fn derived_everything() -> SamplingTool<'static> {
    SamplingTool::from_fn("everything", |_: EverythingArgs| async {
        Ok::<_, ToolError>("ok")
    })
}

fn derived_nothing() -> SamplingTool<'static> {
    SamplingTool::from_fn("nothing", |_: NothingArgs| async { Ok::<_, ToolError>(()) })
}

fn schema_text(tool: &SamplingTool<'_>) -> String {
    serde_json::to_string_pretty(&**tool.input_schema()).unwrap()
}

async fn outcome(tool: &SamplingTool<'_>, args: Value) -> Result<(), String> {
    let Value::Object(args) = args else {
        panic!("not an object: {args}")
    };
    tool.call(&args)
        .await
        .map(|_| ())
        .map_err(|error| format!("{:?}: {}", error.kind(), error.message()))
}

#[test]
fn schemas_are_the_derived_ones() {
    assert_eq!(
        schema_text(&everything_tool()),
        schema_text(&derived_everything())
    );
    assert_eq!(
        schema_text(&nothing_tool()),
        schema_text(&derived_nothing())
    );
    // The cases the comparison must see.
    let schema = everything_tool().input_schema().clone();
    assert_eq!(schema["properties"]["point"]["title"], "Where");
    assert_eq!(schema["properties"]["verbose"]["default"], false);
    assert!(schema["properties"]["mode"].get("default").is_none());
    assert!(schema.contains_key("$defs"), "{schema:?}");
    assert_eq!(
        schema["required"],
        json!(["point", "path", "maybe"]),
        "{schema:?}"
    );
}

#[tokio::test]
async fn arguments_decode_as_the_derived_type_decodes_them() {
    let point = json!({"x": 1.0, "y": 2.0});
    let full = json!({"point": point, "path": [point], "maybe": 3});
    let cases = [
        full.clone(),
        json!({"point": point, "path": [], "maybe": null, "n": 2, "verbose": true,
               "mode": "Slow", "r#type": "t", "tree": {"label": "a", "children": []}}),
        json!({"point": point, "path": [], "maybe": 1, "n": null, "tree": null}),
        // Unknown, missing (in declaration order), and bad values, in the order written.
        json!({"point": point, "path": [], "maybe": 1, "extra": 1}),
        json!({"extra": 1, "point": "nowhere"}),
        json!({"point": "nowhere", "extra": 1}),
        json!({}),
        json!({"path": []}),
        json!({"point": point, "path": []}),
        json!({"point": {"x": 1.0}, "path": [], "maybe": 1}),
        json!({"point": {"x": 1.0, "y": 2.0, "z": 3.0}, "path": [], "maybe": 1}),
        json!({"point": point, "path": [point, {"x": "one", "y": 2.0}], "maybe": 1}),
        json!({"point": point, "path": {}, "maybe": 1}),
        json!({"point": point, "path": [], "maybe": -1}),
        json!({"point": point, "path": [], "maybe": 1, "n": "two"}),
        json!({"point": point, "path": [], "maybe": 1, "verbose": null}),
        json!({"point": point, "path": [], "maybe": 1, "mode": "Medium"}),
        json!({"point": point, "path": [], "maybe": 1,
               "tree": {"label": "a", "children": [{"label": 1, "children": []}]}}),
        json!({"point": point, "path": [], "maybe": 1, "type": "t"}),
    ];
    for args in cases {
        assert_eq!(
            outcome(&everything_tool(), args.clone()).await,
            outcome(&derived_everything(), args.clone()).await,
            "arguments {args}"
        );
    }
    for args in [json!({}), json!({"x": 1}), json!({"a": 1, "b": 2})] {
        assert_eq!(
            outcome(&nothing_tool(), args.clone()).await,
            outcome(&derived_nothing(), args.clone()).await,
            "arguments {args}"
        );
    }
}
