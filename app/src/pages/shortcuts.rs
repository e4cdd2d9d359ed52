//! The inbox's keyboard: `j`/`k` move through the list, `Enter` opens, `e` archives, `a` assigns
//! to me, `n` switches the composer to a note, `/` starts a canned reply, `?` lists them. None
//! fires while the reader types in a field, or with Ctrl, Alt or Meta held.

use leptos::prelude::*;
use switchboard::wire::ConversationItem;
use uuid::Uuid;

use crate::i18n::*;

/// Whether a keystroke is the reader's own typing (in a field) or a chord for the browser.
#[cfg(feature = "hydrate")]
fn not_for_us(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.is_composing() {
        return true;
    }
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.is_content_editable()
        })
}

/// Whether the shortcuts' list is open (one per page).
#[derive(Clone, Copy)]
pub struct ShortcutsShown(pub RwSignal<bool>);

/// `j`, `k` and `?` on the inbox list: focus moves from row to row (a focused row opens with
/// `Enter`, as any link does).
pub fn on_list_keys() {
    let shown = ShortcutsShown(RwSignal::new(false));
    provide_context(shown);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if not_for_us(&ev) {
                return;
            }
            let step: i32 = match ev.key().as_str() {
                "j" => 1,
                "k" => -1,
                "?" => {
                    shown.0.update(|s| *s = !*s);
                    return;
                }
                "Escape" => {
                    shown.0.set(false);
                    return;
                }
                _ => return,
            };
            let Some(document) = window().document() else {
                return;
            };
            let Ok(rows) = document.query_selector_all("a[data-inbox-row]") else {
                return;
            };
            let count = rows.length() as i32;
            if count == 0 {
                return;
            }
            let active = document.active_element();
            let current = (0..count).find(|i| {
                rows.item(*i as u32)
                    .zip(active.as_ref())
                    .is_some_and(|(row, active)| row.is_same_node(Some(active)))
            });
            let next = match current {
                Some(at) => (at + step).clamp(0, count - 1),
                None if step > 0 => 0,
                None => count - 1,
            };
            if let Some(row) = rows
                .item(next as u32)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            {
                ev.prevent_default();
                let _ = row.focus();
            }
        });
        on_cleanup(move || handle.remove());
    }
}

/// `n`, `a`, `e` and `/` on an open conversation: switch the composer to a note, assign it to
/// me, archive or restore it, start a canned reply.
pub fn on_conversation_keys(note: RwSignal<bool>, item: RwSignal<ConversationItem>, me: Uuid) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if not_for_us(&ev) {
                return;
            }
            match ev.key().as_str() {
                "n" => {
                    ev.prevent_default();
                    note.update(|n| *n = !*n);
                    crate::chat::focus_composer();
                }
                // The composer takes the focus before the key lands, so the `/` is typed there
                // and opens the canned replies.
                "/" => crate::chat::focus_composer_now(),
                "a" => {
                    ev.prevent_default();
                    let id = item.with_untracked(|i| i.id);
                    leptos::task::spawn_local(async move {
                        if let Ok(updated) = crate::api::assign_conversation(id, Some(me)).await {
                            item.set(updated);
                        }
                    });
                }
                "e" => {
                    ev.prevent_default();
                    let (id, archived) = item.with_untracked(|i| (i.id.to_string(), i.archived));
                    leptos::task::spawn_local(async move {
                        if let Ok(updated) = crate::api::set_archived(id, !archived).await {
                            item.set(updated);
                        }
                    });
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (note, item, me);
}

/// The list of shortcuts, shown by `?`.
#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let i18n = use_i18n();
    let Some(ShortcutsShown(shown)) = use_context::<ShortcutsShown>() else {
        return ().into_any();
    };
    let keys = move || {
        [
            ("j / k", t_string!(i18n, keys.move_rows)),
            ("Enter", t_string!(i18n, keys.open)),
            ("e", t_string!(i18n, keys.archive)),
            ("a", t_string!(i18n, keys.assign_me)),
            ("n", t_string!(i18n, keys.note)),
            ("/", t_string!(i18n, keys.canned)),
            ("Alt+N", t_string!(i18n, keys.note_in_composer)),
            ("?", t_string!(i18n, keys.help)),
        ]
    };
    view! {
        <p class="hint keys-hint">{t!(i18n, keys.hint)}</p>
        {move || shown.get().then(|| view! {
            <section class="shortcuts" role="dialog" aria-modal="false" aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{t!(i18n, keys.title)}</h2>
                <dl>
                    {keys().into_iter().map(|(key, what)| view! {
                        <dt><kbd>{key}</kbd></dt>
                        <dd>{what}</dd>
                    }).collect_view()}
                </dl>
                <button type="button" class="secondary" on:click=move |_| shown.set(false)>
                    {t!(i18n, keys.close)}
                </button>
            </section>
        })}
    }
    .into_any()
}
