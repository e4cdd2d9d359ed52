//! The UI's strings, one language at a time in the browser.
//!
//! leptos_i18n's generated module holds every language's strings as constants, so the browser's
//! bundle carried all six. This reads each language's table out of the generated module and
//! writes it as JSON for the server, which puts the page's language in the page (and serves
//! the others on request). For the browser's build it then rewrites the module so that each
//! table is looked up at run time (`app::ui_strings::table`) instead of being a constant.

use std::error::Error;
use std::path::Path;

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ImplItem, ImplItemConst, Item, Stmt};

/// A language (`en`) and its strings, in the order the generated code indexes them.
pub type Table = (String, Vec<String>);

/// Each language's strings: the `STRINGS` constant of each `TranslationUnit` impl, by its
/// `LOCALE`.
pub fn tables(module: &syn::File) -> Result<Vec<Table>, Box<dyn Error>> {
    let mut tables = Vec::new();
    collect(&module.items, &mut tables)?;
    if tables.is_empty() {
        return Err("the generated i18n module has no TranslationUnit impl".into());
    }
    Ok(tables)
}

/// Adds the tables of `items` and of the modules among them to `tables`.
fn collect(items: &[Item], tables: &mut Vec<Table>) -> Result<(), Box<dyn Error>> {
    for item in items {
        if let Item::Mod(syn::ItemMod {
            content: Some((_, inner)),
            ..
        }) = item
        {
            collect(inner, tables)?;
            continue;
        }
        let Item::Impl(unit) = item else { continue };
        let is_unit = unit
            .trait_
            .as_ref()
            .and_then(|(_, path, _)| path.segments.last())
            .is_some_and(|last| last.ident == "TranslationUnit");
        if !is_unit {
            continue;
        }
        let constant = |name: &str| {
            unit.items.iter().find_map(|item| match item {
                ImplItem::Const(c) if c.ident == name => Some(&c.expr),
                _ => None,
            })
        };
        let locale = match constant("LOCALE") {
            Some(Expr::Path(path)) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
        .ok_or("a TranslationUnit without a LOCALE path")?;
        let strings = string_array(constant("STRINGS").ok_or("a TranslationUnit without STRINGS")?)
            .ok_or("STRINGS is not a reference to an array of string literals")?;
        tables.push((locale, strings));
    }
    Ok(())
}

/// `&["a", "b"]` as its strings.
fn string_array(expr: &Expr) -> Option<Vec<String>> {
    let Expr::Reference(reference) = expr else {
        return None;
    };
    let Expr::Array(array) = &*reference.expr else {
        return None;
    };
    array
        .elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .collect()
}

/// Writes `<locale>.json` into `dir` for each table: `{"locale":"en","strings":[…]}`, safe
/// inside a `<script>` element (no `<` can close it).
pub fn write_json(tables: &[Table], dir: &Path) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    for (locale, strings) in tables {
        let json = serde_json::json!({ "locale": locale, "strings": strings }).to_string();
        std::fs::write(
            dir.join(format!("{locale}.json")),
            json.replace('<', "\\u003c"),
        )?;
    }
    Ok(())
}

/// Rewrites the generated module for the browser: each language's `get_translations` asks
/// `crate::ui_strings::table` for its strings, the `STRINGS` constants become empty, and the
/// constants the generated code computes from a table become `let` bindings (and the functions
/// holding them stop being `const fn`).
pub fn load_at_run_time(module: &mut syn::File) -> Result<(), Box<dyn Error>> {
    let mut rewrite = Rewrite::default();
    rewrite.visit_file_mut(module);
    if rewrite.tables == 0 || rewrite.getters != rewrite.tables {
        return Err(format!(
            "expected one get_translations per table, found {} tables and {} getters",
            rewrite.tables, rewrite.getters
        )
        .into());
    }
    Ok(())
}

#[derive(Default)]
struct Rewrite {
    /// `STRINGS` constants emptied.
    tables: usize,
    /// `get_translations` functions redirected.
    getters: usize,
    /// Constants turned into `let`, so far.
    bindings: usize,
}

impl Rewrite {
    /// Whether `expr` reads a table: it calls a translations getter or indexes one.
    fn reads_a_table(expr: &Expr) -> bool {
        let text = expr.to_token_stream().to_string();
        text.contains("_translations__")
            || text.contains("get_translations")
            || text.contains("index_translations")
    }

    /// Visits a function and drops its `const` when its body now binds a table at run time,
    /// or when it is one of the table getters.
    fn function(&mut self, sig: &mut syn::Signature, block: &mut syn::Block) {
        let before = self.bindings;
        let name = sig.ident.to_string();
        if name == "get_translations" {
            *block = syn::parse_quote!({
                crate::ui_strings::table(
                    <Self as l_i18n_crate::__private::fetch_translations::TranslationUnit>::LOCALE,
                )
            });
            self.getters += 1;
        } else {
            self.visit_block_mut(block);
        }
        let is_getter = name == "get_translations"
            || (name.starts_with("__get_") && name.ends_with("_translations__"));
        if is_getter || self.bindings != before {
            sig.constness = None;
        }
    }
}

impl VisitMut for Rewrite {
    fn visit_impl_item_const_mut(&mut self, constant: &mut ImplItemConst) {
        if constant.ident == "STRINGS" {
            if let Some(strings) = string_array(&constant.expr) {
                let count = strings.len();
                constant.expr = syn::parse_quote!(&[""; #count]);
                self.tables += 1;
            }
        }
        visit_mut::visit_impl_item_const_mut(self, constant);
    }

    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        self.function(&mut function.sig, &mut function.block);
    }

    fn visit_item_fn_mut(&mut self, function: &mut syn::ItemFn) {
        self.function(&mut function.sig, &mut function.block);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Item(Item::Const(constant)) = stmt {
            if Self::reads_a_table(&constant.expr) {
                let (attrs, ident, ty, expr) = (
                    &constant.attrs,
                    &constant.ident,
                    &constant.ty,
                    &constant.expr,
                );
                *stmt = syn::parse_quote! {
                    #(#attrs)*
                    #[allow(non_snake_case)]
                    let #ident: #ty = #expr;
                };
                self.bindings += 1;
            }
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }
}
