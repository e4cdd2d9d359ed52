//! `/library`: the team's labels (the owner and admins create, rename, recolour and delete them)
//! and canned replies (anyone adds one; its author, the owner and admins change or delete it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use switchboard::domain::Capability;
use switchboard::wire::{CannedReply, ErrorCode, Label, Operator};

use super::conversation_bar::LabelChip;
use crate::api::{
    load_desk, ChangeLabel, CreateLabel, DeleteCannedReply, DeleteLabel, DeskView, SaveCannedReply,
};
use crate::components::{ConfirmSubmit, ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;

/// Every action of the page: the list loads again after each.
#[derive(Clone, Copy)]
struct Actions {
    create_label: ServerAction<CreateLabel>,
    change_label: ServerAction<ChangeLabel>,
    delete_label: ServerAction<DeleteLabel>,
    save_reply: ServerAction<SaveCannedReply>,
    delete_reply: ServerAction<DeleteCannedReply>,
}

/// The library page.
#[component]
pub fn LibraryPage() -> impl IntoView {
    let i18n = use_i18n();
    let actions = Actions {
        create_label: ServerAction::new(),
        change_label: ServerAction::new(),
        delete_label: ServerAction::new(),
        save_reply: ServerAction::new(),
        delete_reply: ServerAction::new(),
    };
    let desk = load(
        move || {
            (
                actions.create_label.version().get(),
                actions.change_label.version().get(),
                actions.delete_label.version().get(),
                actions.save_reply.version().get(),
                actions.delete_reply.version().get(),
            )
        },
        |_| load_desk(),
    );
    let failure = move || {
        [
            actions.create_label.value().get().and_then(|r| r.err()),
            actions.change_label.value().get().and_then(|r| r.err()),
            actions.delete_label.value().get().and_then(|r| r.err()),
            actions.save_reply.value().get().and_then(|r| r.err()),
            actions.delete_reply.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <Title text=t_string!(i18n, library.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, library.title)}</h1>
            {move || failure().map(|error| view! { <ErrorAlert error /> })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match desk.await {
                        Ok(view) => view! { <Library view actions /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

#[component]
fn Library(view: DeskView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let DeskView {
        me, labels, canned, ..
    } = view;
    let curator = me.role.may(Capability::CurateInbox);
    view! {
        <section class="card" aria-labelledby="labels-heading">
            <h2 id="labels-heading">{t!(i18n, library.labels)}</h2>
            <p class="hint">{if curator { t_string!(i18n, library.labels_hint_admin) } else { t_string!(i18n, library.labels_hint) }}</p>
            {labels.is_empty().then(|| view! { <p class="empty">{t!(i18n, library.no_labels)}</p> })}
            <ul class="library-list">
                {labels.into_iter().map(|label| view! { <LabelRow label curator actions /> }).collect_view()}
            </ul>
            {curator.then(|| view! {
                <PostForm action=actions.create_label attr:class="inline-form">
                    <label>{t!(i18n, library.name)}" "<input name="name" required maxlength="40" /></label>
                    <label>{t!(i18n, library.color)}" "<input type="color" name="color" value="#2452d4" /></label>
                    <button type="submit" class="primary">{t!(i18n, library.add_label)}</button>
                </PostForm>
            })}
        </section>
        <section class="card" aria-labelledby="canned-heading">
            <h2 id="canned-heading">{t!(i18n, library.canned)}</h2>
            <p class="hint">{t!(i18n, library.canned_hint)}</p>
            {canned.is_empty().then(|| view! { <p class="empty">{t!(i18n, library.no_canned)}</p> })}
            <ul class="library-list">
                {canned.into_iter().map(|reply| view! { <ReplyRow reply me=me.clone() curator actions /> }).collect_view()}
            </ul>
            <h3>{t!(i18n, library.add_canned)}</h3>
            <ReplyForm reply=None actions />
        </section>
    }
}

#[component]
fn LabelRow(label: Label, curator: bool, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let (id, delete_id) = (label.id.to_string(), label.id.to_string());
    let (name, color) = (label.name.clone(), label.color.clone());
    view! {
        <li>
            <LabelChip label />
            {curator.then(|| view! {
                <details class="row-actions">
                    <summary>{t!(i18n, library.edit)}</summary>
                    <PostForm action=actions.change_label attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <label>{t!(i18n, library.name)}" "<input name="name" required maxlength="40" value=name /></label>
                        <label>{t!(i18n, library.color)}" "<input type="color" name="color" value=color /></label>
                        <button type="submit" class="secondary">{t!(i18n, library.save)}</button>
                    </PostForm>
                    <PostForm action=actions.delete_label>
                        <input type="hidden" name="id" value=delete_id />
                        <ConfirmSubmit class="danger"
                            label=Signal::derive(move || t_string!(i18n, library.delete).to_owned())
                            question=Signal::derive(move || t_string!(i18n, library.delete_label_question).to_owned()) />
                    </PostForm>
                </details>
            })}
        </li>
    }
}

#[component]
fn ReplyRow(reply: CannedReply, me: Operator, curator: bool, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let mine = reply.created_by.id == me.id;
    let id = reply.id.to_string();
    let edit = reply.clone();
    view! {
        <li class="canned-row">
            <p><code>"/"{reply.shortcut}</code>" "<strong dir="auto">{reply.title}</strong>
                " "<span class="muted">{t!(i18n, library.by)}" "<bdi class="user-text">{reply.created_by.name}</bdi></span></p>
            <p class="canned-content" dir="auto">{reply.content}</p>
            {(mine || curator).then(|| view! {
                <details class="row-actions">
                    <summary>{t!(i18n, library.edit)}</summary>
                    <ReplyForm reply=Some(edit) actions />
                    <PostForm action=actions.delete_reply>
                        <input type="hidden" name="id" value=id />
                        <ConfirmSubmit class="danger"
                            label=Signal::derive(move || t_string!(i18n, library.delete).to_owned())
                            question=Signal::derive(move || t_string!(i18n, library.delete_reply_question).to_owned()) />
                    </PostForm>
                </details>
            })}
        </li>
    }
}

/// Adds a canned reply, or changes `reply`.
#[component]
fn ReplyForm(reply: Option<CannedReply>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let id = reply.as_ref().map(|r| r.id.to_string());
    let (shortcut, title, content) = reply
        .map(|r| (r.shortcut, r.title, r.content))
        .unwrap_or_default();
    view! {
        <PostForm action=actions.save_reply attr:class="stack-form">
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            <label>{t!(i18n, library.shortcut)}
                <input name="shortcut" required maxlength="32" pattern="[a-z0-9_\\-]+" value=shortcut
                    autocapitalize="off" spellcheck="false" />
            </label>
            <label>{t!(i18n, library.title_field)}<input name="title" required maxlength="80" value=title /></label>
            <label>{t!(i18n, library.content)}
                <textarea name="content" required rows="4" maxlength="4000">{content}</textarea>
            </label>
            <p class="hint">{t!(i18n, library.placeholders)}" "<code>"{{customer.name}}"</code>", "<code>"{{customer.email}}"</code>", "<code>"{{operator.name}}"</code></p>
            <button type="submit" class="primary">{t!(i18n, library.save)}</button>
        </PostForm>
    }
}
