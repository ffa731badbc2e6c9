//! The generated code: the cleaned function, then its tool constructor `<fn>_tool()`.
//!
//! The constructor hands `__private::tool` a local function that adds each parameter to the
//! input schema (built once per tool, into a local static) and a closure that decodes each
//! argument into its parameter's type and returns the call's future (local items, so this
//! also works for methods, where only associated items may be added). No arguments type is
//! derived: the code per tool stays small, and the shared work (the order of arguments,
//! unknown and missing ones, error paths, the schema's root) is in the runtime. Sync
//! functions are called inside the async block, so a panic surfaces where the loop polls the
//! call.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

use super::model::{Param, Tool, last_segment_named};
use crate::paths::Paths;

/// The function and its tool constructor.
pub(crate) fn tool(tool: &Tool) -> TokenStream {
    let paths = Paths::resolve(tool.args.krate.as_ref());
    let private = paths.private();
    let names = Names::new();
    let params: Vec<ParamCode> = tool
        .params
        .iter()
        .enumerate()
        .filter_map(|(index, param)| Some((index, param.ident.as_ref()?, param.json_name()?)))
        .enumerate()
        .map(|(position, (index, ident, json_name))| {
            let param = &tool.params[index];
            ParamCode::new(param, ident, json_name, index, position, &names, &private)
        })
        .collect();
    let func = &tool.func;
    let head = constructor_head(tool, &paths);
    let schema_fn = Ident::new("__sampling_tool_schema", Span::mixed_site());
    let cache = Ident::new("__SAMPLING_TOOL_SCHEMA", Span::mixed_site());
    let (name, _) = tool.name();
    let description = match tool.description() {
        Some(description) => quote!(::core::option::Option::Some(#description)),
        None => quote!(::core::option::Option::None),
    };
    let sequential = tool.args.sequential.is_some();
    let approval = tool.args.approval.is_some();
    let defaults = params.iter().filter_map(|param| param.default_fn.as_ref());
    let properties = params.iter().map(|param| &param.property);
    let Names {
        generator, object, ..
    } = &names;
    let call_closure = call_closure(tool, &params, &names, &private);
    quote! {
        #func

        #head {
            #(#defaults)*

            fn #schema_fn(
                #generator: &mut #private::schemars::SchemaGenerator,
            ) -> #private::schemars::Schema {
                let mut #object = #private::args_object();
                #(#properties)*
                #object
            }
            static #cache: ::std::sync::OnceLock<::std::sync::Arc<#private::JsonObject>> =
                ::std::sync::OnceLock::new();

            #private::tool(
                #name,
                #description,
                #sequential,
                #approval,
                &#cache,
                #schema_fn,
                #call_closure,
            )
        }
    }
}

/// The local names of the generated code, at `Span::mixed_site()`: the user's code cannot
/// see them, nor they the user's.
struct Names {
    args: Ident,
    index: Ident,
    value: Ident,
    param: Ident,
    generator: Ident,
    error: Ident,
    given: Ident,
    object: Ident,
}

impl Names {
    fn new() -> Self {
        let local = |name: &str| Ident::new(name, Span::mixed_site());
        Self {
            args: local("__args"),
            index: local("__index"),
            value: local("__value"),
            param: local("__param"),
            generator: local("__generator"),
            error: local("__error"),
            given: local("__given"),
            object: local("__object"),
        }
    }
}

/// The code of one parameter the LLM fills in, in each place it appears.
struct ParamCode {
    /// Its JSON property name.
    json_name: String,
    /// `let mut __slot_N: Option<T> = None;`, where the decoded argument goes.
    slot: TokenStream,
    /// The arm of the decoding `match` for its position.
    arm: TokenStream,
    /// `let __value_N = ...;`: the slot's value, or what a missing argument means.
    take: TokenStream,
    /// The binding `take` defines, passed to the function.
    value: Ident,
    /// For `#[arg(default)]`: a local function that makes the default value.
    default_fn: Option<TokenStream>,
    /// Its property in the input schema.
    property: TokenStream,
}

/// What a missing argument means for a parameter.
struct Missing {
    /// `let __value_N = ...;`
    take: TokenStream,
    /// Whether the parameter may be left out (not in `required`).
    optional: bool,
    /// The default value as JSON, for the schema (`None` when there is none).
    default_json: TokenStream,
    /// The local function that makes the default value.
    default_fn: Option<TokenStream>,
}

impl ParamCode {
    fn new(
        param: &Param,
        ident: &Ident,
        json_name: String,
        index: usize,
        position: usize,
        names: &Names,
        private: &TokenStream,
    ) -> Self {
        let ty = &param.ty;
        let slot = Ident::new(&format!("__slot_{index}"), Span::mixed_site());
        let value = Ident::new(&format!("__value_{index}"), Span::mixed_site());
        // Decoding and the schema go through `__private::ToolParam`, named at the parameter's
        // type (whose tokens keep their span): a type that is not `Deserialize + JsonSchema`
        // gets one error, there, with the fix.
        let param_trait = quote_spanned!(ty.span()=> #private::ToolParam);
        let none = quote!(::core::option::Option::None);
        let missing = missing(param, ident, &json_name, &slot, &value, names, private);
        Self {
            slot: quote!(let mut #slot: ::core::option::Option<#ty> = #none;),
            arm: decode_arm(
                ty,
                &json_name,
                position,
                &slot,
                &param_trait,
                names,
                private,
            ),
            property: property(param, &json_name, &missing, &param_trait, names, private),
            take: missing.take,
            default_fn: missing.default_fn,
            json_name,
            value,
        }
    }
}

/// The arm that decodes the argument at `position` into its parameter's slot, or returns the
/// error that names it.
fn decode_arm(
    ty: &syn::Type,
    json_name: &str,
    position: usize,
    slot: &Ident,
    param_trait: &TokenStream,
    names: &Names,
    private: &TokenStream,
) -> TokenStream {
    let Names {
        value,
        param,
        error,
        ..
    } = names;
    let some = quote!(::core::option::Option::Some);
    quote! {
        #position => {
            let mut #param = #private::Param::new(#json_name);
            match <#ty as #param_trait>::deserialize_param(#param.deserializer(#value)) {
                ::core::result::Result::Ok(#value) => #slot = #some(#value),
                ::core::result::Result::Err(#error) => {
                    return ::core::result::Result::Err(#param.error(#error));
                }
            }
        }
    }
}

/// A missing `Option` is `None`, a missing `default` parameter its default value, any other
/// missing parameter an error (in declaration order, after the arguments). `#[arg(default)]`
/// goes through a local function whose body is spanned at the type: a type without `Default`
/// gets one error there.
fn missing(
    param: &Param,
    ident: &Ident,
    json_name: &str,
    slot: &Ident,
    value: &Ident,
    names: &Names,
    private: &TokenStream,
) -> Missing {
    let ty = &param.ty;
    let given = &names.given;
    let none = quote!(::core::option::Option::None);
    let some = quote!(::core::option::Option::Some);
    if param.arg.default.is_some() {
        let default_fn = Ident::new(
            &format!("__sampling_tool_default_{}", ident.unraw()),
            Span::call_site(),
        );
        Missing {
            take: quote!(let #value = match #slot { #some(#given) => #given, #none => #default_fn() };),
            optional: true,
            default_json: quote!({
                #[allow(unused_imports)]
                use #private::NotSerialize as _;
                #private::MaybeSerialize(#default_fn()).to_json()
            }),
            default_fn: Some(quote_spanned! {ty.span()=>
                fn #default_fn() -> #ty {
                    ::core::default::Default::default()
                }
            }),
        }
    } else if param.is_option() {
        Missing {
            take: quote!(let #value = match #slot { #some(#given) => #given, #none => ::core::default::Default::default() };),
            optional: true,
            default_json: none,
            default_fn: None,
        }
    } else {
        Missing {
            take: quote! {
                let #value = match #slot {
                    #some(#given) => #given,
                    #none => return #private::invalid_arguments(#private::missing_field(#json_name)),
                };
            },
            optional: false,
            default_json: none,
            default_fn: None,
        }
    }
}

/// The parameter's property, as the schemars derive made it for a field: the doc comment
/// (title and description), or the `description` key.
fn property(
    param: &Param,
    json_name: &str,
    missing: &Missing,
    param_trait: &TokenStream,
    names: &Names,
    private: &TokenStream,
) -> TokenStream {
    let ty = &param.ty;
    let none = quote!(::core::option::Option::None);
    let some = quote!(::core::option::Option::Some);
    let doc = match param.arg.description {
        Some(_) => None,
        None => crate::docs::schemars_doc(&param.docs),
    };
    let doc = match doc {
        Some(doc) => quote!(#some(#doc)),
        None => none.clone(),
    };
    let key_description = match &param.arg.description {
        Some(description) => quote!(#some(#description)),
        None => none,
    };
    let Names {
        object, generator, ..
    } = names;
    let Missing {
        optional,
        default_json,
        ..
    } = missing;
    quote! {
        #private::property(
            &mut #object,
            #json_name,
            <#ty as #param_trait>::param_schema(#generator),
            #optional,
            #doc,
            #key_description,
            #default_json,
        );
    }
}

/// The closure the tool calls with the LLM's arguments: decode them into the slots, take
/// each parameter's value, and return the call's future.
fn call_closure(
    tool: &Tool,
    params: &[ParamCode],
    names: &Names,
    private: &TokenStream,
) -> TokenStream {
    let args = &names.args;
    let slots = params.iter().map(|param| &param.slot);
    let takes = params.iter().map(|param| &param.take);
    let json_names = params.iter().map(|param| &param.json_name);
    let decode = decode_closure(params, names, private);
    let ret = Ident::new("__ret", Span::mixed_site());
    let call = call(tool, params);
    let output = output(&tool.func.sig.output, &ret, private);
    let future = Ident::new("__future", Span::mixed_site());
    quote! {
        move |#args: &#private::JsonObject| {
            #(#slots)*
            if let ::core::result::Result::Err(message) =
                #private::decode_args(#args, &[#(#json_names),*], #decode)
            {
                return #private::invalid_arguments(message);
            }
            #(#takes)*
            let #future: #private::ToolFuture<'_> = ::std::boxed::Box::pin(async move {
                let #ret = #call;
                #output
            });
            #future
        }
    }
}

/// The closure that decodes one argument, by its position among the parameters.
fn decode_closure(params: &[ParamCode], names: &Names, private: &TokenStream) -> TokenStream {
    if params.is_empty() {
        // Nothing to set: any argument is unknown.
        return quote!(&mut |_, _| ::core::result::Result::Ok(()));
    }
    let Names { index, value, .. } = names;
    let arms = params.iter().map(|param| &param.arm);
    quote! {
        &mut |#index: usize, #value: &#private::serde_json::Value| {
            match #index {
                #(#arms)*
                _ => {}
            }
            ::core::result::Result::Ok(())
        }
    }
}

/// The call of the function with the parameters' values, awaited when it is `async`.
fn call(tool: &Tool, params: &[ParamCode]) -> TokenStream {
    let sig = &tool.func.sig;
    let fn_ident = &sig.ident;
    let values = params.iter().map(|param| &param.value);
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
    match sig.asyncness {
        Some(_) => quote!(#call.await),
        None => call,
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
