//! Forms that post to a server function, read in the browser without a query-string parser.
//!
//! Leptos' `ActionForm` reads a submitted form into the server function's input with
//! `serde_qs`: its reader, the B-tree it sorts fields in and a reader per input type came to
//! about 50 KB of the code the sign-in page loads, before wasm-opt. [`PostForm`] renders the same
//! `<form method="post">`, which works without JavaScript as before; with JavaScript each input
//! reads its own fields ([`FormInput`]) and is dispatched to the action.

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};
use switchboard::wire::ErrorCode;

use crate::error::AppError;

/// A submitted form's fields: the value of the field named so, if the form has one.
pub type Fields<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A server function's input, read from a submitted form.
pub trait FormInput: Sized {
    /// Reads the input from `fields`.
    fn from_fields(fields: Fields) -> Result<Self, AppError>;
}

/// The value of the field `name`, or an `invalid` error naming it.
pub fn field(fields: Fields, name: &str) -> Result<String, AppError> {
    fields(name)
        .ok_or_else(|| AppError::new(ErrorCode::Invalid, format!("the form has no field {name}")))
}

/// The field `name` read as a `T` (a UUID, `true` or `false`), or an `invalid` error naming it.
pub fn parsed<T: std::str::FromStr>(fields: Fields, name: &str) -> Result<T, AppError> {
    parse(name, field(fields, name)?)
}

/// The field `name` read as a `T` when the form has it (as the server reads a missing field of
/// an `Option` argument: `None`), or an `invalid` error naming it.
pub fn parsed_if_present<T: std::str::FromStr>(
    fields: Fields,
    name: &str,
) -> Result<Option<T>, AppError> {
    fields(name).map(|value| parse(name, value)).transpose()
}

fn parse<T: std::str::FromStr>(name: &str, value: String) -> Result<T, AppError> {
    value.parse().map_err(|_| {
        AppError::new(
            ErrorCode::Invalid,
            format!("{name} {value:?} cannot be read"),
        )
    })
}

/// A form that posts to `action`'s server function: without JavaScript the browser posts it,
/// with JavaScript the action is dispatched (as Leptos' `ActionForm` does). A field that the
/// input needs and the form lacks sets the action's value to an `invalid` error.
#[component]
pub fn PostForm<S, OutputProtocol>(
    /// The action the form dispatches.
    action: ServerAction<S>,
    /// The form's fields and buttons.
    children: Children,
) -> impl IntoView
where
    S: FormInput
        + ServerFn<Protocol = Http<PostUrl, OutputProtocol>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let input = leptos::form::form_data_from_event(&ev)
                .map_err(|_| AppError::new(ErrorCode::Invalid, "the form could not be read"))
                .and_then(|data| S::from_fields(&|name| data.get(name).as_string()));
            match input {
                Ok(input) => {
                    action.dispatch(input);
                }
                Err(error) => {
                    action.value().set(Some(Err(error)));
                    action.version().update(|n| *n += 1);
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = action;
    };
    view! {
        <form action=S::url() method="post" on:submit=on_submit>
            {children()}
        </form>
    }
}
