//! The input schema of a `#[sampling_tool]` function: generated code adds one property per
//! parameter, and the root goes through schemars as a derived arguments type's would.

use std::cell::Cell;

use rmcp::model::JsonObject;
use schemars::{Schema, SchemaGenerator};

use crate::schema::{root_schema, tidy_args_root};

/// What generated code hands `__private::tool`: adds the parameters to [`args_object`].
pub type BuildSchema = fn(&mut SchemaGenerator) -> Schema;

/// The object schema properties are added to: `{"type": "object", "additionalProperties": false}`.
pub fn args_object() -> Schema {
    schemars::json_schema!({"type": "object", "additionalProperties": false})
}

thread_local! {
    /// The properties of the tool whose schema is being generated (see [`BuiltArgs`]).
    static BUILDING: Cell<Option<BuildSchema>> = const { Cell::new(None) };
}

/// The arguments type of every `#[sampling_tool]` for schemars: its schema is the one the
/// current `__private::tool` call builds, so that the root schema goes through schemars as a
/// derived type's would, without a type per tool.
struct BuiltArgs;

impl BuiltArgs {
    /// Runs `f` with `schema` as the properties [`BuiltArgs`] stands for.
    fn with<R>(schema: BuildSchema, f: impl FnOnce() -> R) -> R {
        let previous = BUILDING.with(|building| building.replace(Some(schema)));
        let result = f();
        BUILDING.with(|building| building.set(previous));
        result
    }
}

impl schemars::JsonSchema for BuiltArgs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "__SamplingToolArgs".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        match BUILDING.with(Cell::get) {
            Some(build) => build(generator),
            None => args_object(),
        }
    }
}

/// The input schema of a `#[sampling_tool]` whose properties `build` adds (see
/// `__private::tool`), exactly as [`args_schema_for`](crate::schema::args_schema_for) makes it for a derived arguments type.
pub(crate) fn args_schema_built(build: BuildSchema) -> JsonObject {
    let mut schema = BuiltArgs::with(build, root_schema::<BuiltArgs>);
    schema.remove("title");
    tidy_args_root(&schema)
}
