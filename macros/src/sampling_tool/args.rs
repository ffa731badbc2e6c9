//! The grammar of `#[sampling_tool(...)]` and of the parameter helper `#[arg(...)]`.
//!
//! Both are strict (through the shared helpers of `crate::attr`): an unknown key is an error
//! that lists the accepted ones, a key given twice is an error at its second occurrence, and
//! values must be literals. Errors go to the `Ctxt` so that every mistake is reported in one
//! build; parsing goes on after each of them.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Attribute, Ident, LitStr, Meta, Path};

use crate::attr::{self, crate_value, flag, set_once, string_value, unknown_key};
use crate::ctxt::Ctxt;

const TOOL_KEYS: &str =
    "`name = \"...\"`, `description = \"...\"`, `sequential`, `approval` or `crate = \"...\"`";
const ARG_KEYS: &str = "`description = \"...\"`, `default` or `rename = \"...\"`";

/// The keys of `#[sampling_tool(...)]`.
#[derive(Default)]
pub(crate) struct ToolArgs {
    /// `name = "..."`: the tool's name, instead of the function's.
    pub(crate) name: Option<LitStr>,
    /// `description = "..."`: the tool's description, instead of the doc comment.
    pub(crate) description: Option<LitStr>,
    /// `sequential`: the key itself, so that checks can point at it.
    pub(crate) sequential: Option<Ident>,
    /// `approval`: the key itself, so that checks can point at it.
    pub(crate) approval: Option<Ident>,
    /// `crate = "..."`: the path of `rmcp_sampling`, instead of the one found in `Cargo.toml`.
    pub(crate) krate: Option<Path>,
}

/// The keys of every `#[arg(...)]` on one parameter, merged.
#[derive(Default)]
pub(crate) struct ArgAttrs {
    /// The first `#[arg]` attribute, to point at when `#[arg]` is misplaced.
    pub(crate) attr: Option<Attribute>,
    /// `description = "..."`: the property's description.
    pub(crate) description: Option<LitStr>,
    /// `default`: the key, when the parameter falls back to `Default::default()`.
    pub(crate) default: Option<Ident>,
    /// `rename = "..."`: the JSON property name.
    pub(crate) rename: Option<LitStr>,
}

/// Parses the tokens inside `#[sampling_tool(...)]`.
pub(crate) fn parse_tool_args(cx: &mut Ctxt, tokens: TokenStream) -> ToolArgs {
    let mut args = ToolArgs::default();
    let parser = syn::meta::parser(|meta| {
        let Some(key) = attr::key(&meta) else {
            return unknown_key(cx, &meta, "#[sampling_tool]", TOOL_KEYS);
        };
        match key.to_string().as_str() {
            "name" => {
                let value = string_value(cx, &meta, &key, "name = \"find_customer\"")?;
                set_once(cx, &mut args.name, &key, value, "#[sampling_tool]");
            }
            "description" => {
                let value = string_value(cx, &meta, &key, "description = \"...\"")?;
                set_once(cx, &mut args.description, &key, value, "#[sampling_tool]");
            }
            "sequential" => {
                flag(cx, &meta, &key, "#[sampling_tool(sequential)]")?;
                set_once(
                    cx,
                    &mut args.sequential,
                    &key,
                    Some(key.clone()),
                    "#[sampling_tool]",
                );
            }
            "approval" => {
                flag(cx, &meta, &key, "#[sampling_tool(approval)]")?;
                set_once(
                    cx,
                    &mut args.approval,
                    &key,
                    Some(key.clone()),
                    "#[sampling_tool]",
                );
            }
            "crate" => {
                let value = crate_value(cx, &meta, &key)?;
                set_once(cx, &mut args.krate, &key, value, "#[sampling_tool]");
            }
            _ => return unknown_key(cx, &meta, "#[sampling_tool]", TOOL_KEYS),
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(tokens) {
        cx.push(error);
    }
    args
}

/// Parses one `#[arg(...)]` attribute into `into`.
pub(crate) fn parse_arg_attr(cx: &mut Ctxt, attr: &Attribute, into: &mut ArgAttrs) {
    if into.attr.is_none() {
        into.attr = Some(attr.clone());
    }
    let list = match &attr.meta {
        Meta::List(list) => list,
        _ => {
            cx.error_spanned_by(
                attr,
                format!("`#[arg]` needs keys in parentheses: {ARG_KEYS}, e.g. `#[arg(description = \"...\")]`"),
            );
            return;
        }
    };
    if list.tokens.is_empty() {
        cx.error_spanned_by(
            attr,
            format!("`#[arg()]` is empty; remove it, or give it one of {ARG_KEYS}"),
        );
        return;
    }
    let result = attr.parse_nested_meta(|meta| {
        let Some(key) = attr::key(&meta) else {
            return unknown_key(cx, &meta, "#[arg]", ARG_KEYS);
        };
        match key.to_string().as_str() {
            "description" => {
                let value = string_value(cx, &meta, &key, "description = \"...\"")?;
                set_once(cx, &mut into.description, &key, value, "#[arg]");
            }
            "rename" => {
                let value = string_value(cx, &meta, &key, "rename = \"...\"")?;
                set_once(cx, &mut into.rename, &key, value, "#[arg]");
            }
            "default" => {
                flag(cx, &meta, &key, "#[arg(default)]")?;
                set_once(cx, &mut into.default, &key, Some(key.clone()), "#[arg]");
            }
            _ => return unknown_key(cx, &meta, "#[arg]", ARG_KEYS),
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.push(error);
    }
}
