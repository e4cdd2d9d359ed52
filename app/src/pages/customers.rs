//! `/customers`: the owner's and admins' list of website customers, found by name or email,
//! each with a download of everything held about them and a guarded erase.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use switchboard::wire::{Customer, ErrorCode};

use super::inbox_list::CustomerLabel;
use crate::api::{load_customers, CustomersView, EraseCustomer};
use crate::clock::Time;
use crate::components::{ConfirmSubmit, ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;

/// The customers page: `?q=…&before=…`.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let erase = ServerAction::<EraseCustomer>::new();
    let asked = move || query.read().get("q").unwrap_or_default();
    let page = load(
        move || {
            let before = query
                .read()
                .get("before")
                .and_then(|b| uuid::Uuid::parse_str(&b).ok());
            (asked(), before, erase.version().get())
        },
        |(q, before, _)| load_customers(q, before),
    );
    view! {
        <Title text=t_string!(i18n, customers.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, customers.title)}</h1>
            <p class="hint">{t!(i18n, customers.intro)}</p>
            <form method="get" action="/customers" role="search" class="filters">
                <div class="field">
                    <label for="customers-q">{t!(i18n, customers.field)}</label>
                    <input id="customers-q" type="search" name="q" maxlength="200"
                        prop:value=asked />
                </div>
                <button type="submit" class="secondary">{t!(i18n, customers.find)}</button>
            </form>
            {move || erase.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(view) => view! { <List view q=asked() erase /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

#[component]
fn List(view: CustomersView, q: String, erase: ServerAction<EraseCustomer>) -> impl IntoView {
    let i18n = use_i18n();
    let older = view.more.then(|| {
        let last = view.customers.last().map(|c| c.id).unwrap_or_default();
        let q = percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC);
        format!("/customers?q={q}&before={last}")
    });
    if view.customers.is_empty() {
        return view! { <p class="hint">{t!(i18n, customers.empty)}</p> }.into_any();
    }
    let rows = view
        .customers
        .into_iter()
        .map(|customer| view! { <CustomerRow customer erase /> })
        .collect_view();
    view! {
        <table class="sessions customers">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, customers.customer)}</th>
                    <th scope="col">{t!(i18n, customers.email)}</th>
                    <th scope="col">{t!(i18n, customers.identity)}</th>
                    <th scope="col">{t!(i18n, customers.first_seen)}</th>
                    <th scope="col">{t!(i18n, customers.actions)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {older.map(|href| view! { <p><a href=href class="button secondary">{t!(i18n, customers.older)}</a></p> })}
    }
    .into_any()
}

#[component]
fn CustomerRow(customer: Customer, erase: ServerAction<EraseCustomer>) -> impl IntoView {
    let i18n = use_i18n();
    let id = customer.id;
    let export = format!("/api/v1/customers/{id}/export");
    let email = customer.email.clone();
    let signed = customer.signed;
    let first_seen = customer.first_seen_at;
    let erased_at = customer.erased_at;
    view! {
        <tr class=if erased_at.is_some() { "inactive" } else { "" }>
            <td><CustomerLabel customer=Some(customer) /></td>
            <td dir="ltr">{match email {
                Some(email) => view! { <bdi class="user-text">{email}</bdi> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td>{if signed {
                t!(i18n, customers.signed).into_any()
            } else {
                t!(i18n, customers.anonymous).into_any()
            }}</td>
            <td><Time at=first_seen /></td>
            <td>{match erased_at {
                Some(at) => view! {
                    <span class="badge ended">{t!(i18n, customers.erased)}</span>
                    " "
                    <Time at />
                }.into_any(),
                None => view! {
                    <div class="record-actions">
                        <a href=export download class="button secondary">{t!(i18n, customers.export)}</a>
                        <PostForm action=erase>
                            <input type="hidden" name="id" value=id.to_string() />
                            <ConfirmSubmit
                                label=Signal::derive(move || t_string!(i18n, customers.erase).to_owned())
                                question=Signal::derive(move || t_string!(i18n, customers.erase_warning).to_owned())
                                class="danger"
                            />
                        </PostForm>
                    </div>
                }.into_any(),
            }}</td>
        </tr>
    }
}
