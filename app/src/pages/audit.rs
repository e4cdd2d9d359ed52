//! `/audit`: the audit log for the owner and admins, newest first, filtered by action and by
//! who, fifty entries a page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use switchboard::wire::{AuditAction, AuditEntry, ErrorCode};

use crate::api::{load_audit, AuditView};
use crate::clock::Time;
use crate::components::{ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;

/// The audit log page: `?action=…&actor=…&before=…`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (
            q.get("action").and_then(|a| AuditAction::parse(&a)),
            q.get("actor").and_then(|a| uuid::Uuid::parse_str(&a).ok()),
            q.get("before").and_then(|b| uuid::Uuid::parse_str(&b).ok()),
        )
    };
    let log = load(filters, |(action, actor, before)| {
        load_audit(action, actor, before)
    });
    view! {
        <Title text=t_string!(i18n, audit.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, audit.title)}</h1>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let (action, actor, _) = filters();
                    match log.await {
                        Ok(view) => view! { <Log view action actor /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

#[component]
fn Log(view: AuditView, action: Option<AuditAction>, actor: Option<uuid::Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let older = view.more.then(|| {
        let last = view.entries.last().map(|e| e.id);
        let mut query = vec![];
        if let Some(action) = action {
            query.push(format!("action={}", action.as_str()));
        }
        if let Some(actor) = actor {
            query.push(format!("actor={actor}"));
        }
        if let Some(last) = last {
            query.push(format!("before={last}"));
        }
        format!("/audit?{}", query.join("&"))
    });
    let empty = view.entries.is_empty();
    let rows = view
        .entries
        .into_iter()
        .map(|entry| view! { <EntryRow entry /> })
        .collect_view();
    let people = view
        .members
        .into_iter()
        .map(|m| {
            let chosen = actor == Some(m.id);
            view! { <option value=m.id.to_string() selected=chosen>{m.name}</option> }
        })
        .collect_view();
    let kinds = AuditAction::ALL
        .into_iter()
        .map(|a| {
            let chosen = action == Some(a);
            view! { <option value=a.as_str() selected=chosen>{move || action_text(i18n, a)}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action="/audit" class="filters">
            <div class="field">
                <label for="audit-action">{t!(i18n, audit.what)}</label>
                <select id="audit-action" name="action">
                    <option value="">{t!(i18n, audit.all_actions)}</option>
                    {kinds}
                </select>
            </div>
            <div class="field">
                <label for="audit-actor">{t!(i18n, audit.who)}</label>
                <select id="audit-actor" name="actor">
                    <option value="">{t!(i18n, audit.everyone)}</option>
                    {people}
                </select>
            </div>
            <button type="submit" class="secondary">{t!(i18n, audit.filter)}</button>
        </form>
        {if empty {
            view! { <p class="hint">{t!(i18n, audit.empty)}</p> }.into_any()
        } else {
            view! {
                <table class="sessions audit">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, audit.when)}</th>
                            <th scope="col">{t!(i18n, audit.who)}</th>
                            <th scope="col">{t!(i18n, audit.what)}</th>
                            <th scope="col">{t!(i18n, audit.target)}</th>
                            <th scope="col">{t!(i18n, audit.address)}</th>
                            <th scope="col">{t!(i18n, audit.details)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
        {older.map(|href| view! { <p><a href=href class="button secondary">{t!(i18n, audit.older)}</a></p> })}
    }
}

#[component]
fn EntryRow(entry: AuditEntry) -> impl IntoView {
    let i18n = use_i18n();
    let action = entry.action;
    let detail = detail_text(&entry.detail);
    view! {
        <tr>
            <td><Time at=entry.at /></td>
            <td>{match entry.actor {
                Some(actor) => view! { <bdi class="user-text">{actor.name}</bdi> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td>{move || action_text(i18n, action)}</td>
            <td><bdi class="user-text">{entry.target.map(|t| t.label).unwrap_or_default()}</bdi></td>
            <td dir="ltr"><bdi>{entry.address.unwrap_or_default()}</bdi></td>
            <td dir="ltr"><code>{detail}</code></td>
        </tr>
    }
}

/// An entry's facts as `key: value` pairs; nothing for an empty object.
fn detail_text(detail: &serde_json::Value) -> String {
    match detail.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => String::new(),
    }
}

/// An action's name in the reader's language.
fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: AuditAction) -> &'static str {
    match action {
        AuditAction::Signin => t_string!(i18n, audit.signin),
        AuditAction::SigninFailed => t_string!(i18n, audit.signin_failed),
        AuditAction::Signout => t_string!(i18n, audit.signout),
        AuditAction::InvitationCreated => t_string!(i18n, audit.invitation_created),
        AuditAction::InvitationRevoked => t_string!(i18n, audit.invitation_revoked),
        AuditAction::InvitationAccepted => t_string!(i18n, audit.invitation_accepted),
        AuditAction::RoleChanged => t_string!(i18n, audit.role_changed),
        AuditAction::OperatorDeactivated => t_string!(i18n, audit.operator_deactivated),
        AuditAction::OperatorReactivated => t_string!(i18n, audit.operator_reactivated),
        AuditAction::OwnershipTransferred => t_string!(i18n, audit.ownership_transferred),
        AuditAction::PasswordChanged => t_string!(i18n, audit.password_changed),
        AuditAction::PasswordResetRequested => t_string!(i18n, audit.password_reset_requested),
        AuditAction::PasswordReset => t_string!(i18n, audit.password_reset),
        AuditAction::WidgetSecretChanged => t_string!(i18n, audit.widget_secret_changed),
        AuditAction::WidgetSettingsChanged => t_string!(i18n, audit.widget_settings_changed),
        AuditAction::CustomerExported => t_string!(i18n, audit.customer_exported),
        AuditAction::CustomerErased => t_string!(i18n, audit.customer_erased),
        AuditAction::RetentionDeleted => t_string!(i18n, audit.retention_deleted),
    }
}
