//! Typed results: the result trait, and validation of what the LLM sends against its schema.

pub(crate) mod result;
pub(crate) mod validate;
