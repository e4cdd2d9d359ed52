//! The bar above a conversation: who it is assigned to (with "Assign to me"), its labels, and
//! the colleagues who have it open and who of them is typing.

use leptos::prelude::*;
use switchboard::domain::may_assign;
use switchboard::wire::{ConversationItem, Label, Viewer};
use uuid::Uuid;

use crate::api::{assign_conversation, label_conversation, DeskView};
use crate::components::ErrorText;
use crate::i18n::*;

/// Assignee, labels and viewers of the conversation `item` shows.
#[component]
pub fn ConversationBar(
    item: RwSignal<ConversationItem>,
    desk: DeskView,
    viewers: RwSignal<Vec<Viewer>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = desk.me.id;
    let role = desk.me.role;
    let problem = RwSignal::new(None::<switchboard::wire::ErrorCode>);
    let assign = move |to: Option<Uuid>| {
        let id = item.with_untracked(|i| i.id);
        leptos::task::spawn_local(async move {
            match assign_conversation(id, to).await {
                Ok(updated) => {
                    problem.set(None);
                    item.set(updated);
                }
                Err(error) => problem.set(Some(error.code)),
            }
        });
    };
    let assignee = move || item.with(|i| i.assignee.as_ref().map(|a| a.id));
    // The engine's rule; the current choice stays selectable, as it changes nothing.
    let may_choose = move |choice: Option<Uuid>| {
        let current = assignee();
        current == choice || may_assign(me, role, current, choice)
    };
    let team = StoredValue::new(desk.team.clone());
    let labels = StoredValue::new(desk.labels.clone());
    let others = move || {
        viewers
            .get()
            .into_iter()
            .filter(|v| v.id != me)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="conversation-bar">
            <label class="assignee">
                <span>{t!(i18n, inbox.assignee)}</span>
                <select on:change=move |ev| {
                    let value = event_target_value(&ev);
                    assign(Uuid::parse_str(&value).ok());
                }>
                    <option value="" selected=move || assignee().is_none()
                        disabled=move || !may_choose(None)>{t!(i18n, inbox.unassigned)}</option>
                    {team.get_value().into_iter().map(|member| {
                        let id = member.id;
                        view! {
                            <option value=id.to_string() selected=move || assignee() == Some(id)
                                disabled=move || !may_choose(Some(id))>
                                {member.name}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            {move || (assignee() != Some(me) && may_choose(Some(me))).then(|| view! {
                <button type="button" class="secondary" title=move || t_string!(i18n, inbox.assign_me_key)
                    on:click=move |_| assign(Some(me))>{t!(i18n, inbox.assign_me)}</button>
            })}
            <LabelPicker item labels problem />
            {move || problem.get().map(|code| view! {
                <p class="alert error" role="alert"><ErrorText code /></p>
            })}
            <p class="viewers" aria-live="polite">
                {move || {
                    let others = others();
                    (!others.is_empty()).then(|| view! {
                        <span class="muted">{t!(i18n, inbox.also_here)}" "</span>
                        {others.into_iter().map(|viewer| view! {
                            <span class=if viewer.typing { "viewer typing" } else { "viewer" }>
                                <bdi class="user-text">{viewer.name}</bdi>
                                {viewer.typing.then(|| view! { " "<em>{t!(i18n, inbox.viewer_typing)}</em> })}
                            </span>
                        }).collect_view()}
                    })
                }}
            </p>
        </div>
    }
}

/// The conversation's labels as chips, and a menu of every label to put on or take off.
#[component]
fn LabelPicker(
    item: RwSignal<ConversationItem>,
    labels: StoredValue<Vec<Label>>,
    problem: RwSignal<Option<switchboard::wire::ErrorCode>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let on = move |id: Uuid| item.with(|i| i.labels.iter().any(|l| l.id == id));
    let toggle = move |id: Uuid| {
        let (conversation, mut ids) =
            item.with_untracked(|i| (i.id, i.labels.iter().map(|l| l.id).collect::<Vec<_>>()));
        if let Some(at) = ids.iter().position(|l| *l == id) {
            ids.remove(at);
        } else {
            ids.push(id);
        }
        leptos::task::spawn_local(async move {
            match label_conversation(conversation, ids).await {
                Ok(updated) => {
                    problem.set(None);
                    item.set(updated);
                }
                Err(error) => problem.set(Some(error.code)),
            }
        });
    };
    view! {
        <div class="labels">
            <ul class="label-chips" aria-label=move || t_string!(i18n, inbox.labels)>
                {move || item.get().labels.into_iter().map(|label| view! {
                    <li><LabelChip label /></li>
                }).collect_view()}
            </ul>
            {(!labels.with_value(Vec::is_empty)).then(|| view! {
                <details class="label-menu">
                    <summary>{t!(i18n, inbox.edit_labels)}</summary>
                    <fieldset>
                        <legend class="visually-hidden">{t!(i18n, inbox.labels)}</legend>
                        {labels.get_value().into_iter().map(|label| {
                            let id = label.id;
                            view! {
                                <label class="check">
                                    <input type="checkbox" prop:checked=move || on(id)
                                        on:change=move |_| toggle(id) />
                                    " "<LabelChip label />
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                </details>
            })}
        </div>
    }
}

/// A label: its colour as a dot, and its name.
#[component]
pub fn LabelChip(label: Label) -> impl IntoView {
    view! {
        <span class="label-chip">
            // A presentation attribute, not a style: the pages' policy allows no inline styles.
            <svg class="label-dot" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
                <circle cx="5" cy="5" r="5" fill=label.color />
            </svg>
            <bdi class="user-text">{label.name}</bdi>
        </span>
    }
}
