//! What a `#[sampling_tool]` function may look like. Every problem is recorded, spanned on the
//! narrowest token, with a message that says what is wrong and how to fix it.

use std::collections::HashMap;

use syn::visit_mut::{self, VisitMut};
use syn::{GenericParam, Pat, Type};

use super::model::{Param, Tool};
use crate::ctxt::Ctxt;

/// The longest tool name LLM APIs accept.
const MAX_NAME_LEN: usize = 64;
/// The name of the tool through which the LLM delivers a typed result.
const FINAL_RESPONSE: &str = "final_response";

/// Records every problem of `tool` in `cx`.
pub(crate) fn check(cx: &mut Ctxt, tool: &Tool) {
    check_signature(cx, tool);
    check_receiver(cx, tool);
    check_name(cx, tool);
    check_description(cx, tool);
    // JSON property name -> whether that parameter was renamed.
    let mut names: HashMap<String, bool> = HashMap::new();
    for param in &tool.params {
        check_param(cx, param);
        let Some(name) = param.json_name() else {
            continue;
        };
        let renamed = param.arg.rename.is_some();
        match names.get(&name) {
            // Two plain parameters with one name: rustc reports it.
            Some(false) if !renamed => {}
            Some(_) => match &param.arg.rename {
                Some(rename) => cx.error_spanned_by(
                    rename,
                    format!("another parameter is already sent as `{name}`; choose another `rename`"),
                ),
                None => cx.error_spanned_by(
                    &param.pat,
                    format!("another parameter is renamed to `{name}`; choose another `rename` for one of them"),
                ),
            },
            None => {
                names.insert(name, renamed);
            }
        }
    }
}

fn check_signature(cx: &mut Ctxt, tool: &Tool) {
    let sig = &tool.func.sig;
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(
            unsafety,
            "a `#[sampling_tool]` function cannot be `unsafe`: the LLM decides when it runs, so no caller can uphold its safety contract; make the function safe and keep the `unsafe` block inside it",
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(
            variadic,
            "a `#[sampling_tool]` function cannot be variadic: the LLM fills in named parameters; take a `Vec<T>` instead",
        );
    }
    let type_param = sig
        .generics
        .params
        .iter()
        .find(|param| !matches!(param, GenericParam::Lifetime(_)));
    if let Some(param) = type_param {
        cx.error_spanned_by(
            param,
            "a `#[sampling_tool]` function cannot be generic: the LLM sends JSON, which is decoded into one concrete type per parameter; write a non-generic function (it may call a generic one)",
        );
    } else if let Some(lifetime) = sig.generics.params.first() {
        cx.error_spanned_by(
            lifetime,
            "a `#[sampling_tool]` function cannot have lifetime parameters: its arguments are decoded from JSON into owned values; take owned types (`String`, `Vec<T>`) instead of borrowed ones",
        );
    }
}

fn check_receiver(cx: &mut Ctxt, tool: &Tool) {
    let Some(recv) = &tool.receiver else { return };
    for doc in &recv.docs {
        cx.error_spanned_by(
            doc,
            "a doc comment on `self` describes nothing: `self` is not a tool parameter; remove it",
        );
    }
    if let Some(arg) = &recv.arg {
        cx.error_spanned_by(
            arg,
            "`#[arg]` does not apply to `self`, which is not a tool parameter; remove it",
        );
    }
    if recv.is_shared_ref() {
        return;
    }
    let receiver = &recv.receiver;
    if let (Some(_), Some(mutability)) = (&receiver.reference, &receiver.mutability) {
        cx.error_spanned_by(
            mutability,
            "a `#[sampling_tool]` method takes `&self`, not `&mut self`: the loop shares the receiver and may run tool calls concurrently; take `&self` and keep mutable state behind a `Mutex` or an atomic",
        );
    } else if receiver.colon_token.is_some() {
        cx.error_spanned_by(
            &receiver.ty,
            "a `#[sampling_tool]` method takes `&self` (or `self: &Self`): the generated tool borrows the receiver for as long as the loop runs; take `&self`",
        );
    } else {
        cx.error_spanned_by(
            receiver.self_token,
            "a `#[sampling_tool]` method takes `&self`, not `self` by value: the LLM may call the tool many times in one loop; take `&self`",
        );
    }
}

fn check_name(cx: &mut Ctxt, tool: &Tool) {
    let (name, span) = tool.name();
    let explicit = tool.args.name.is_some();
    let fix = if explicit {
        "choose another `name = \"...\"`"
    } else {
        "rename the function or set `#[sampling_tool(name = \"...\")]`"
    };
    let problem = if name.is_empty() {
        Some("the tool name cannot be empty".to_owned())
    } else if name == FINAL_RESPONSE {
        Some(format!(
            "the tool name `{FINAL_RESPONSE}` is reserved for the typed result of `sample::<T>()`"
        ))
    } else if name.len() > MAX_NAME_LEN
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Some(format!(
            "`{name}` is not a valid tool name: LLM APIs accept 1 to {MAX_NAME_LEN} ASCII letters, digits, `_` or `-`"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        cx.push(syn::Error::new(span, format!("{problem}; {fix}")));
    }
}

fn check_description(cx: &mut Ctxt, tool: &Tool) {
    if let Some(description) = &tool.args.description
        && description.value().trim().is_empty()
    {
        cx.error_spanned_by(
            description,
            "the description is empty; write one, or remove `description` to use the doc comment",
        );
    }
}

fn check_param(cx: &mut Ctxt, param: &Param) {
    if param.ident.is_none() {
        let message = match &param.pat {
            Pat::Wild(_) => {
                "a `#[sampling_tool]` parameter cannot be `_`: its name is the JSON property the LLM fills in; give it a name"
            }
            _ => {
                "a `#[sampling_tool]` parameter must be a plain name, which becomes its JSON property: write `name: Type` and destructure inside the function"
            }
        };
        cx.error_spanned_by(&param.pat, message);
    }

    let mut finder = BadTypes::default();
    finder.visit_type_mut(&mut param.ty.clone());
    for (tokens, message) in finder.found {
        cx.push(syn::Error::new_spanned(tokens, message));
    }

    if let Some(description) = &param.arg.description {
        if description.value().trim().is_empty() {
            cx.error_spanned_by(
                description,
                "the description is empty; write one or remove `description`",
            );
        } else if let Some(doc) = param.docs.first() {
            cx.error_spanned_by(
                doc,
                "this parameter has both a doc comment and `#[arg(description = \"...\")]`; keep one",
            );
        }
    }
    if let Some(rename) = &param.arg.rename
        && rename.value().is_empty()
    {
        cx.error_spanned_by(
            rename,
            "`rename` cannot be empty; give the JSON property a name",
        );
    }
    if let Some(default) = &param.arg.default
        && param.is_option()
    {
        cx.error_spanned_by(
            default,
            "`default` is redundant on an `Option` parameter, which is already optional (a missing value is `None`); remove `default`",
        );
    }
}

/// Parts of a parameter type that JSON cannot be decoded into.
#[derive(Default)]
struct BadTypes {
    found: Vec<(proc_macro2::TokenStream, String)>,
}

impl BadTypes {
    fn push(&mut self, tokens: impl quote::ToTokens, message: impl Into<String>) {
        self.found
            .push((tokens.into_token_stream(), message.into()));
    }
}

impl VisitMut for BadTypes {
    fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
        let fix = match &*reference.elem {
            Type::Path(path) if path.path.is_ident("str") => "take `String` instead of `&str`",
            Type::Slice(_) => "take a `Vec<T>` instead of a slice",
            _ => "take the value itself (drop the `&`)",
        };
        self.push(
            &*reference,
            format!(
                "a `#[sampling_tool]` parameter cannot be a reference: its value is decoded from JSON into an owned value; {fix}"
            ),
        );
    }

    fn visit_type_impl_trait_mut(&mut self, impl_trait: &mut syn::TypeImplTrait) {
        self.push(
            &*impl_trait,
            "a `#[sampling_tool]` parameter cannot be `impl Trait`: its value is decoded from JSON into one concrete type; name a type that implements `Deserialize` and `JsonSchema`",
        );
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
        if lifetime.ident != "static" {
            self.push(
                &*lifetime,
                "a `#[sampling_tool]` parameter cannot borrow: its value is decoded from JSON into an owned value; use an owned type (`String`, `Vec<T>`, `Cow<'static, str>`)",
            );
        }
    }

    fn visit_type_path_mut(&mut self, path: &mut syn::TypePath) {
        if path.qself.is_none()
            && let Some(first) = path.path.segments.first()
            && first.ident == "Self"
        {
            self.push(
                &first.ident,
                "`Self` cannot appear in a `#[sampling_tool]` parameter type: the generated code that describes the parameters lives outside the `impl`; write the type's name",
            );
            return;
        }
        visit_mut::visit_type_path_mut(self, path);
    }
}
