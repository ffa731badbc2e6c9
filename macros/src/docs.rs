//! Doc comments as descriptions.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The `#[doc]` lines of `attrs` joined with newlines, one leading space stripped per line and
/// the whole trimmed, as an expression: a string literal when every line is a literal, or a
/// `concat!` that keeps non-literal lines (`#[doc = include_str!(..)]`). `None` without docs.
pub(crate) fn description(attrs: &[Attribute]) -> Option<TokenStream> {
    let mut parts: Vec<DocPart> = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &attr.meta {
            match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    let line = s.value();
                    parts.push(DocPart::Line(
                        line.strip_prefix(' ').unwrap_or(&line).to_owned(),
                    ))
                }
                other => parts.push(DocPart::Expr(quote!(#other))),
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    if parts.iter().all(|p| matches!(p, DocPart::Line(_))) {
        let text = parts
            .iter()
            .map(|p| match p {
                DocPart::Line(l) => l.as_str(),
                DocPart::Expr(_) => "",
            })
            .collect::<Vec<_>>()
            .join("\n");
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        return Some(quote!(#text));
    }
    let pieces = parts.iter().enumerate().map(|(i, p)| {
        let sep = if i == 0 { quote!() } else { quote!("\n",) };
        match p {
            DocPart::Line(l) => quote!(#sep #l,),
            DocPart::Expr(e) => quote!(#sep #e,),
        }
    });
    Some(quote!(::core::concat!(#(#pieces)*)))
}

/// The doc comment of a parameter as the schemars derive reads a field's: the `#[doc]` lines
/// joined with `"\n"`, one leading space stripped from each literal line, as a `concat!`.
pub(crate) fn schemars_doc(attrs: &[Attribute]) -> Option<TokenStream> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|attr| is_doc(attr)) {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !lines.is_empty() {
            lines.push(quote!("\n",));
        }
        match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) if s.value().starts_with(' ') => {
                let line = &s.value()[1..];
                lines.push(quote!(#line,));
            }
            other => lines.push(quote!(#other,)),
        }
    }
    (!lines.is_empty()).then(|| quote!(::core::concat!(#(#lines)*)))
}

enum DocPart {
    Line(String),
    Expr(TokenStream),
}

/// Whether an attribute is a doc comment.
pub(crate) fn is_doc(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
}
