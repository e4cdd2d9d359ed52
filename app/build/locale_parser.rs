//! Keeps ICU's locale parser out of the browser's bundle.
//!
//! leptos_i18n's generated module parses each of our language tags at run time the first time
//! it is asked for it (`"en".parse()` inside a `LazyLock`), and its `Locale::find_locale` parses
//! the browser's accepted languages with ICU to match them against ours. Together they linked
//! ICU's whole locale parser (with every extension's) into the dashboard's main file. For the
//! browser's build the tags are built at compile time (`locale!`) and `find_locale` is
//! answered by `app::language::find_locale`, which reads a tag's language only (all our
//! locales are plain languages, so that is the same match).

use std::error::Error;

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Item, ItemImpl, Stmt};

/// Rewrites the generated module as the module doc says.
pub fn build_tags_at_compile_time(module: &mut syn::File) -> Result<(), Box<dyn Error>> {
    let mut rewrite = Rewrite::default();
    rewrite.visit_file_mut(module);
    if rewrite.tags == 0 || rewrite.finders != 1 {
        return Err(format!(
            "expected language tags and one Locale impl, found {} tags and {} impls",
            rewrite.tags, rewrite.finders
        )
        .into());
    }
    Ok(())
}

#[derive(Default)]
struct Rewrite {
    /// `*_LANGID` statics now built at compile time.
    tags: usize,
    /// `impl Locale` blocks given our `find_locale`.
    finders: usize,
}

/// The string literal inside `expr` (`"en"` in `LazyLock::new(|| "en".parse()...)`).
fn tag_of(expr: &Expr) -> Option<syn::LitStr> {
    struct Find(Option<syn::LitStr>);
    impl<'a> syn::visit::Visit<'a> for Find {
        fn visit_lit_str(&mut self, lit: &'a syn::LitStr) {
            self.0.get_or_insert_with(|| lit.clone());
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_expr(&mut find, expr);
    find.0
}

impl VisitMut for Rewrite {
    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Item(Item::Static(tag)) = stmt {
            let parses = tag.expr.to_token_stream().to_string().contains("parse");
            if tag.ident.to_string().ends_with("_LANGID") && parses {
                if let Some(literal) = tag_of(&tag.expr) {
                    *tag.expr = syn::parse_quote!(std::sync::LazyLock::new(|| {
                        l_i18n_crate::reexports::icu::locid::locale!(#literal)
                    }));
                    self.tags += 1;
                }
            }
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_item_impl_mut(&mut self, block: &mut ItemImpl) {
        let is_locale = block.trait_.as_ref().is_some_and(|(_, path, _)| {
            let path = path.to_token_stream().to_string().replace(' ', "");
            path == "l_i18n_crate::Locale"
        });
        if is_locale {
            block.items.push(syn::parse_quote! {
                fn find_locale<T: AsRef<[u8]>>(accepted_languages: &[T]) -> Self {
                    crate::language::find_locale(accepted_languages)
                }
            });
            self.finders += 1;
        }
        visit_mut::visit_item_impl_mut(self, block);
    }
}
