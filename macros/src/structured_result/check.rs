//! The shapes `#[structured_result]` refuses, each with a message that says the fix, and what
//! the expansion needs to know about the item (existing derives, serde container attributes).

use proc_macro2::{TokenStream, TokenTree};
use syn::{Attribute, Data, DeriveInput, Fields, GenericParam, Type};

use crate::ctxt::Ctxt;

/// What `expand` needs to know about a checked item.
pub(crate) struct Shape {
    /// The item can take the serde/schemars derives (false for a union).
    pub(crate) derivable: bool,
    /// `StructuredResult` can be implemented (false for a union or borrowed data).
    pub(crate) implementable: bool,
    /// The item already derives `Serialize`.
    pub(crate) has_serialize: bool,
    /// The item already derives `Deserialize`.
    pub(crate) has_deserialize: bool,
    /// The item already derives `JsonSchema`.
    pub(crate) has_json_schema: bool,
    /// A `#[serde(crate = "...")]` is already there.
    pub(crate) has_serde_crate: bool,
    /// A `#[schemars(crate = "...")]` is already there.
    pub(crate) has_schemars_crate: bool,
}

/// Checks `input`, recording every problem in `cx`.
pub(crate) fn check(cx: &mut Ctxt, input: &DeriveInput) -> Shape {
    let derives = existing_derives(&input.attrs);
    let serde = container_keys(&input.attrs, "serde");
    let schemars = container_keys(&input.attrs, "schemars");
    let mut shape = Shape {
        derivable: true,
        implementable: true,
        has_serialize: derives.iter().any(|d| d == "Serialize"),
        has_deserialize: derives.iter().any(|d| d == "Deserialize"),
        has_json_schema: derives.iter().any(|d| d == "JsonSchema"),
        has_serde_crate: serde.contains("crate"),
        has_schemars_crate: schemars.contains("crate"),
    };

    for param in &input.generics.params {
        if let GenericParam::Lifetime(lifetime) = param {
            cx.error_spanned_by(
                &lifetime.lifetime,
                format!(
                    "a structured result must own its data (`'static`), so it cannot have the lifetime parameter `{}`; remove it and use owned types (`String` instead of `&str`, `Vec<T>` instead of `&[T]`)",
                    lifetime.lifetime
                ),
            );
            shape.implementable = false;
        }
    }

    match &input.data {
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`#[structured_result]` cannot be used on a union: serde cannot read or write unions; use an enum (one variant per case) or a struct",
            );
            shape.derivable = false;
            shape.implementable = false;
        }
        Data::Struct(data) => match &data.fields {
            Fields::Unit => cx.error_spanned_by(
                &input.ident,
                format!(
                    "the unit struct `{}` has no data for the LLM to fill in; give it named fields (`struct {} {{ answer: String }}`), or use an enum with unit variants to choose among names",
                    input.ident, input.ident
                ),
            ),
            Fields::Unnamed(fields) if fields.unnamed.len() > 1 => cx.error_spanned_by(
                fields,
                format!(
                    "the tuple struct `{}` would be a JSON array whose positions the LLM has to guess; name the fields (`struct {} {{ a: A, b: B }}`), or wrap a single type (`struct {}(T)`)",
                    input.ident, input.ident, input.ident
                ),
            ),
            Fields::Unnamed(fields) if fields.unnamed.is_empty() => cx.error_spanned_by(
                fields,
                format!(
                    "the struct `{}` has no fields, so it carries no data for the LLM to fill in; add named fields",
                    input.ident
                ),
            ),
            _ => {}
        },
        Data::Enum(data) => {
            if data.variants.is_empty() {
                cx.error_spanned_by(
                    &input.ident,
                    format!(
                        "the enum `{}` has no variants, so no answer can ever be a value of it; add a variant for each possible answer",
                        input.ident
                    ),
                );
            }
            if serde.contains("untagged") {
                let mut first_unit: Option<&syn::Ident> = None;
                for variant in &data.variants {
                    if !matches!(variant.fields, Fields::Unit) {
                        continue;
                    }
                    match first_unit {
                        None => first_unit = Some(&variant.ident),
                        Some(first) => cx.error_spanned_by(
                            &variant.ident,
                            format!(
                                "in a `#[serde(untagged)]` enum every unit variant is the JSON `null`, so `{}` cannot be told apart from `{first}`; remove `untagged`, or give the variant data",
                                variant.ident
                            ),
                        ),
                    }
                }
            } else if serde.contains("tag") && !serde.contains("content") {
                for variant in &data.variants {
                    let Fields::Unnamed(fields) = &variant.fields else {
                        continue;
                    };
                    if fields.unnamed.len() != 1 {
                        continue;
                    }
                    let ty = &fields.unnamed[0].ty;
                    if let Some(name) = non_object_type(ty) {
                        cx.error_spanned_by(
                            ty,
                            format!(
                                "in an internally tagged enum (`#[serde(tag = \"...\")]`) the tag is written into the variant's JSON object, but `{}` holds a `{name}`, which is not an object; add `content = \"...\"` to the `#[serde]` attribute, or make `{}` a struct variant (`{} {{ value: {name} }}`)",
                                variant.ident, variant.ident, variant.ident
                            ),
                        );
                    }
                }
            }
        }
    }
    shape
}

/// The last path segment of every `#[derive(...)]` entry (`serde::Serialize` → `Serialize`).
fn existing_derives(attrs: &[Attribute]) -> Vec<String> {
    let mut found = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let paths = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        );
        if let Ok(paths) = paths {
            found.extend(
                paths
                    .iter()
                    .filter_map(|p| p.segments.last().map(|s| s.ident.to_string())),
            );
        }
    }
    found
}

/// The top-level keys of every `#[<name>(...)]` container attribute (`crate`, `tag`,
/// `content`, `untagged`, ...). Only the keys are read: serde and schemars check the rest.
fn container_keys(attrs: &[Attribute], name: &str) -> Keys {
    let mut keys = Keys(Vec::new());
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        if let syn::Meta::List(list) = &attr.meta {
            collect_keys(list.tokens.clone(), &mut keys.0);
        }
    }
    keys
}

fn collect_keys(tokens: TokenStream, out: &mut Vec<String>) {
    let mut at_key = true;
    for token in tokens {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => at_key = true,
            TokenTree::Ident(ident) if at_key => {
                out.push(ident.to_string());
                at_key = false;
            }
            _ => at_key = false,
        }
    }
}

/// Keys found in container attributes.
struct Keys(Vec<String>);

impl Keys {
    fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|k| k == key)
    }
}

/// The name of a type known not to serialize as a JSON object (a number, a string, a
/// sequence...), for the internally-tagged check. Unknown types pass: they may be structs.
fn non_object_type(ty: &Type) -> Option<String> {
    const NON_OBJECTS: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "f32", "f64", "bool", "char", "str", "String", "Vec", "VecDeque", "HashSet", "BTreeSet",
        "Option",
    ];
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            let name = last.ident.to_string();
            NON_OBJECTS
                .contains(&name.as_str())
                .then(|| quote::quote!(#ty).to_string().replace(' ', ""))
        }
        Type::Tuple(tuple) if tuple.elems.is_empty() => None,
        Type::Reference(_) | Type::Slice(_) | Type::Array(_) | Type::Tuple(_) => {
            Some(quote::quote!(#ty).to_string().replace(' ', ""))
        }
        _ => None,
    }
}
