//! The function as the macro sees it: its parameters with their descriptions and helper
//! attributes taken off, and the function itself cleaned of them, ready to be re-emitted.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{ToTokens, TokenStreamExt, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, FnArg, Ident, Pat, Receiver, Signature, Type, Visibility};

use super::args::{self, ArgAttrs, ToolArgs};
use crate::ctxt::Ctxt;
use crate::docs;

/// A function as the macro needs it: its signature parsed, its body passed through as tokens
/// (the macro never looks inside it, and parsing it would only cost compile time).
pub(crate) struct ItemFn {
    /// The outer attributes.
    pub(crate) attrs: Vec<Attribute>,
    /// The visibility.
    pub(crate) vis: Visibility,
    /// The signature.
    pub(crate) sig: Signature,
    /// The braced body, as written.
    pub(crate) body: Group,
}

impl Parse for ItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function's body"));
        }
        Ok(Self {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

impl ToTokens for ItemFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

/// One `#[sampling_tool]` function.
pub(crate) struct Tool {
    /// The function without parameter doc comments and `#[arg]` attributes.
    pub(crate) func: ItemFn,
    /// The keys of `#[sampling_tool(...)]`.
    pub(crate) args: ToolArgs,
    /// The receiver, when the function is a method, with what was taken off it.
    pub(crate) receiver: Option<ReceiverParam>,
    /// The other parameters, in declaration order.
    pub(crate) params: Vec<Param>,
}

/// The `self` parameter of a method.
pub(crate) struct ReceiverParam {
    /// The receiver as written, without its doc comments and `#[arg]` attributes.
    pub(crate) receiver: Receiver,
    /// Doc comments written on `self` (an error: they describe nothing).
    pub(crate) docs: Vec<Attribute>,
    /// `#[arg]` attributes written on `self` (an error).
    pub(crate) arg: Option<Attribute>,
}

/// One parameter that the LLM fills in.
pub(crate) struct Param {
    /// The pattern as written (`name`, `mut name`, or a pattern the checks reject).
    pub(crate) pat: Pat,
    /// The name, when the pattern is a plain (possibly `mut`) binding.
    pub(crate) ident: Option<Ident>,
    /// The declared type.
    pub(crate) ty: Type,
    /// Its doc comments, which become the property's description.
    pub(crate) docs: Vec<Attribute>,
    /// Its `#[arg(...)]` keys.
    pub(crate) arg: ArgAttrs,
}

impl ReceiverParam {
    /// Whether the receiver is a shared borrow: `&self`, `&'a self`, `self: &Self`.
    pub(crate) fn is_shared_ref(&self) -> bool {
        let receiver = &self.receiver;
        if receiver.reference.is_some() {
            return receiver.mutability.is_none();
        }
        match &*receiver.ty {
            Type::Reference(reference) if reference.mutability.is_none() => {
                matches!(&*reference.elem, Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self"))
            }
            _ => false,
        }
    }
}

impl Param {
    /// The JSON property name: `rename`, or the parameter's name without `r#`.
    pub(crate) fn json_name(&self) -> Option<String> {
        if let Some(rename) = &self.arg.rename {
            return Some(rename.value());
        }
        self.ident.as_ref().map(|ident| ident.unraw().to_string())
    }

    /// Whether the type is spelled `Option<T>` (any path ending in `Option` with one argument).
    pub(crate) fn is_option(&self) -> bool {
        last_segment_named(&self.ty, "Option").is_some_and(|args| args == 1)
    }
}

impl Tool {
    /// Parses the attribute's arguments and takes the function apart. Errors in `#[arg]`
    /// attributes go to `cx`; the parts are always returned.
    pub(crate) fn from_fn(cx: &mut Ctxt, args: TokenStream, mut func: ItemFn) -> Self {
        let args = args::parse_tool_args(cx, args);
        let mut receiver = None;
        let mut params = Vec::new();
        for input in func.sig.inputs.iter_mut() {
            match input {
                FnArg::Receiver(recv) => {
                    let (docs, arg_attrs) = take_helper_attrs(&mut recv.attrs);
                    receiver = Some(ReceiverParam {
                        receiver: recv.clone(),
                        docs,
                        arg: arg_attrs.into_iter().next(),
                    });
                }
                FnArg::Typed(typed) => {
                    let (docs, arg_attrs) = take_helper_attrs(&mut typed.attrs);
                    let mut arg = ArgAttrs::default();
                    for attr in &arg_attrs {
                        args::parse_arg_attr(cx, attr, &mut arg);
                    }
                    let ident = match &*typed.pat {
                        Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                            Some(pat.ident.clone())
                        }
                        _ => None,
                    };
                    params.push(Param {
                        pat: (*typed.pat).clone(),
                        ident,
                        ty: (*typed.ty).clone(),
                        docs,
                        arg,
                    });
                }
            }
        }
        Self {
            func,
            args,
            receiver,
            params,
        }
    }

    /// The tool's name and the tokens to point at when it is wrong.
    pub(crate) fn name(&self) -> (String, Span) {
        match &self.args.name {
            Some(name) => (name.value(), name.span()),
            None => (
                self.func.sig.ident.unraw().to_string(),
                self.func.sig.ident.span(),
            ),
        }
    }

    /// The description expression (`"..."` or `concat!(...)`), if there is one.
    pub(crate) fn description(&self) -> Option<TokenStream> {
        match &self.args.description {
            Some(description) => Some(quote!(#description)),
            None => docs::description(&self.func.attrs),
        }
    }

    /// The name of the generated tool constructor: `<fn>_tool`.
    pub(crate) fn tool_fn_ident(&self) -> Ident {
        let ident = &self.func.sig.ident;
        Ident::new(&format!("{}_tool", ident.unraw()), ident.span())
    }
}

/// Takes the doc comments and `#[arg]` attributes off a parameter.
fn take_helper_attrs(attrs: &mut Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    let mut docs = Vec::new();
    let mut args = Vec::new();
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        if docs::is_doc(&attr) {
            docs.push(attr);
        } else if attr.path().is_ident("arg") {
            args.push(attr);
        } else {
            kept.push(attr);
        }
    }
    *attrs = kept;
    (docs, args)
}

/// When `ty` is a path whose last segment is `name`, the number of generic type arguments of
/// that segment.
pub(crate) fn last_segment_named(ty: &Type, name: &str) -> Option<usize> {
    match ty {
        Type::Group(group) => last_segment_named(&group.elem, name),
        Type::Paren(paren) => last_segment_named(&paren.elem, name),
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            if last.ident != name {
                return None;
            }
            Some(match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .filter(|arg| matches!(arg, syn::GenericArgument::Type(_)))
                    .count(),
                _ => 0,
            })
        }
        _ => None,
    }
}
