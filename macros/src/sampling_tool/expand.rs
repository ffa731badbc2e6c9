//! The generated code: the cleaned function, then its tool constructor `<fn>_tool()`.
//!
//! The constructor holds a hidden `Deserialize + JsonSchema` arguments struct (local to its
//! body, so it also works for methods, where only associated items may be added) and hands a
//! closure over it to `__private::tool`. Sync functions are called inside the async block, so
//! a panic surfaces where the loop polls the call.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

use super::model::{Tool, last_segment_named};
use crate::paths::Paths;

/// The function and its tool constructor.
pub(crate) fn tool(tool: &Tool) -> TokenStream {
    let paths = Paths::resolve(tool.args.krate.as_ref());
    let private = paths.private();
    let func = &tool.func;
    let sig = &func.sig;
    let fn_ident = &sig.ident;
    let (name, _) = tool.name();
    let description = match tool.description() {
        Some(description) => quote! {
            ::core::option::Option::Some(::std::borrow::Cow::Borrowed(#description))
        },
        None => quote!(::core::option::Option::None),
    };
    let sequential = tool.args.sequential.is_some();

    let args_struct = Ident::new("__SamplingToolArgs", Span::mixed_site());
    let args_var = Ident::new("__args", Span::mixed_site());
    let serde_crate = paths.private_str("serde");
    let schemars_crate = paths.private_str("schemars");

    let mut fields = Vec::new();
    let mut values = Vec::new();
    let mut defaults = Vec::new();
    let mut helpers = Vec::new();
    for param in &tool.params {
        let (Some(ident), ty) = (&param.ident, &param.ty) else {
            continue;
        };
        let docs: &[syn::Attribute] = match param.arg.description {
            Some(_) => &[],
            None => &param.docs,
        };
        let description = param
            .arg
            .description
            .as_ref()
            .map(|description| quote!(#[schemars(description = #description)]));
        let rename = param
            .arg
            .rename
            .as_ref()
            .map(|rename| quote!(#[serde(rename = #rename)]));
        // `#[serde(default = ..)]` through a local function whose body is spanned at the type:
        // a type without `Default` gets one error there, not several inside the derives.
        let default = param.arg.default.as_ref().map(|_| {
            let default_fn = Ident::new(
                &format!("__sampling_tool_default_{}", ident.unraw()),
                Span::call_site(),
            );
            let default_fn_str = default_fn.to_string();
            defaults.push(quote_spanned! {ty.span()=>
                fn #default_fn() -> #ty {
                    ::core::default::Default::default()
                }
            });
            quote!(#[serde(default = #default_fn_str)])
        });
        // Decoding and the schema go through `__private::ToolParam`, named at the
        // parameter's type (whose tokens keep their span) in two local functions: a type
        // that is not `Deserialize + JsonSchema` gets one error, there, with the fix.
        let de_fn = Ident::new(
            &format!("__sampling_tool_deserialize_{}", ident.unraw()),
            Span::call_site(),
        );
        let schema_fn = Ident::new(
            &format!("__sampling_tool_schema_{}", ident.unraw()),
            Span::call_site(),
        );
        let de_fn_str = de_fn.to_string();
        let schema_fn_str = schema_fn.to_string();
        let param_trait = quote_spanned!(ty.span()=> #private::ToolParam);
        helpers.push(quote! {
            fn #de_fn<'de, D: #private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<#ty, D::Error> {
                <#ty as #param_trait>::deserialize_param(deserializer)
            }
            fn #schema_fn(
                generator: &mut #private::schemars::SchemaGenerator,
            ) -> #private::schemars::Schema {
                <#ty as #param_trait>::param_schema(generator)
            }
        });
        // An `Option` is optional through `default` (with `deserialize_with`, serde no longer
        // treats a missing `Option` as `None`); `skip_serializing_if` keeps `"default": null`
        // out of the schema (the struct is never serialized).
        let optional = param.is_option().then(
            || quote!(#[serde(default, skip_serializing_if = "::core::option::Option::is_none")]),
        );
        fields.push(quote! {
            #(#docs)*
            #description
            #rename
            #default
            #optional
            #[serde(deserialize_with = #de_fn_str)]
            #[schemars(schema_with = #schema_fn_str)]
            #ident: #ty
        });
        values.push(quote!(#args_var.#ident));
    }

    let call = match &tool.receiver {
        Some(_) => quote!(Self::#fn_ident(self, #(#values),*)),
        // Named as a value, at the attribute: inside an `impl`, where a function without
        // `self` is not in scope by its bare name, rustc then says "cannot find value `add`"
        // at `#[sampling_tool]` and points at the function as an associated function of
        // `Self`, rather than guessing at a method call. (An attribute cannot tell that it is
        // inside an `impl`, and rustc's message for a name it cannot find is fixed.)
        None => {
            let function = Ident::new("__function", Span::mixed_site());
            let mut by_name = fn_ident.clone();
            by_name.set_span(Span::call_site());
            quote!({
                let #function = #by_name;
                #function(#(#values),*)
            })
        }
    };
    let call = match sig.asyncness {
        Some(_) => quote!(#call.await),
        None => call,
    };
    let ret = Ident::new("__ret", Span::mixed_site());
    let output = output(&sig.output, &ret, &private);
    let head = constructor_head(tool, &paths);
    quote! {
        #func

        #head {
            #(#defaults)*
            #(#helpers)*

            #[derive(#private::serde::Deserialize, #private::schemars::JsonSchema)]
            #[serde(crate = #serde_crate, deny_unknown_fields)]
            #[schemars(crate = #schemars_crate)]
            #[allow(non_camel_case_types)]
            struct #args_struct {
                #(#fields,)*
            }

            #private::tool(
                #name,
                #description,
                #sequential,
                move |#args_var: #args_struct| async move {
                    let #ret = #call;
                    #output
                },
            )
        }
    }
}

/// On error: the cleaned function, a stub constructor (so that code naming it does not add
/// "cannot find" errors), and the errors.
pub(crate) fn fallback(tool: &Tool, errors: &syn::Error) -> TokenStream {
    let func = &tool.func;
    let head = constructor_head(tool, &Paths::resolve(tool.args.krate.as_ref()));
    let errors = errors.to_compile_error();
    quote! {
        #func

        #[allow(dead_code, unused_variables)]
        #head {
            ::core::unreachable!()
        }

        #errors
    }
}

/// `#[doc = ...] <vis> fn <fn>_tool(&self) -> <crate>::SamplingTool<'_>`, or for a free
/// function `fn <fn>_tool<'__tool>() -> <crate>::SamplingTool<'__tool>`: it borrows
/// nothing, and `SamplingTool` is invariant in its lifetime, so a free tool must be able to
/// take the lifetime of the method tools it is listed with.
fn constructor_head(tool: &Tool, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let func = &tool.func;
    let vis = &func.vis;
    let fn_name = func.sig.ident.to_string();
    let tool_ident = tool.tool_fn_ident();
    let (name, _) = tool.name();
    let cfgs = func.attrs.iter().filter(|attr| attr.path().is_ident("cfg"));
    match &tool.receiver {
        Some(recv) => {
            // A valid receiver (`&self`, `&'a self`, `self: &Self`) is kept as written; an
            // invalid one (already reported) gets a stub that borrows.
            let receiver = if recv.is_shared_ref() {
                let receiver = &recv.receiver;
                quote!(#receiver)
            } else {
                quote!(&self)
            };
            let doc = format!(
                "The sampling tool `{name}`, made by `#[sampling_tool]` from the method `{fn_name}` and bound to `self`: give it to a sampling request's `tools`."
            );
            quote! {
                #(#cfgs)*
                #[doc = #doc]
                #vis fn #tool_ident(#receiver) -> #krate::SamplingTool<'_>
            }
        }
        None => {
            let doc = format!(
                "The sampling tool `{name}`, made by `#[sampling_tool]` from the function `{fn_name}`: give it to a sampling request's `tools`."
            );
            quote! {
                #(#cfgs)*
                #[doc = #doc]
                #vis fn #tool_ident<'__tool>() -> #krate::SamplingTool<'__tool>
            }
        }
    }
}

/// Turns the function's return value `ret` into the loop's outcome, through
/// `__private::IntoToolOutput` for a value and `__private::IntoToolError` for an error, each
/// called on a binding spanned at its declared type: a type that does not fit is reported at
/// `T` or `E` (not at `Result`), with the fix.
fn output(output: &ReturnType, ret: &Ident, private: &TokenStream) -> TokenStream {
    let ty = match output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            return quote!(#private::IntoToolOutput::into_tool_output(#ret));
        }
    };
    let at = |span: Span, name: &str| Ident::new(name, Span::mixed_site().located_at(span));
    match result_types(ty) {
        Some((ok, err)) => {
            let value = at(ok.map_or(ty.span(), Spanned::span), "__value");
            let error = at(err.map_or(ty.span(), Spanned::span), "__error");
            quote! {
                match #ret {
                    ::core::result::Result::Ok(#value) => #private::IntoToolOutput::into_tool_output(#value),
                    ::core::result::Result::Err(#error) => #private::IntoToolError::into_tool_error(#error),
                }
            }
        }
        None => {
            let value = at(ty.span(), "__value");
            quote! {{
                let #value = #ret;
                #private::IntoToolOutput::into_tool_output(#value)
            }}
        }
    }
}

/// For a type spelled `Result<..>` (any path ending in `Result`): its `T` and `E` arguments,
/// each `None` when not written (`io::Result<T>`, `anyhow::Result<T>`).
fn result_types(ty: &syn::Type) -> Option<(Option<&syn::Type>, Option<&syn::Type>)> {
    last_segment_named(ty, "Result")?;
    let syn::Type::Path(path) = peel(ty) else {
        return Some((None, None));
    };
    let mut args = match &path.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    }
    .into_iter();
    Some((args.next(), args.next()))
}

/// The type inside parentheses and invisible groups.
fn peel(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Group(group) => peel(&group.elem),
        syn::Type::Paren(paren) => peel(&paren.elem),
        other => other,
    }
}
