//! The typing line and the composer (for operators also: private notes, canned replies after
//! `/`, and the collision guard's refusals).

use leptos::prelude::*;
use switchboard::domain::{MessageBody, MESSAGE_MAX_CHARS};
use switchboard::wire::{CannedReply, ErrorCode};

use super::desk::{matches, mentions_in, slash_query, unfilled};
use super::files::{Tray, Upload};
use super::Desk;
use crate::i18n::*;
use crate::realtime::{ChatClient, ChatState, Link, Party, SendExtras};

/// The composer's text box, by id (one chat per page).
pub(super) const INPUT_ID: &str = "chat-input";

/// The composer shows a counter from this many characters on.
const COUNTER_FROM: usize = MESSAGE_MAX_CHARS - 500;

#[component]
pub(super) fn TypingLine(state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(0f64);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(js_sys::Date::now()),
            std::time::Duration::from_millis(1000),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let who = move || {
        now.track();
        state
            .typing
            .get()
            .filter(|(_, until)| *until > now.get_untracked().max(0.0))
            .map(|(who, _)| who.name)
    };
    view! {
        <p class="typing" aria-live="polite">
            {move || who().map(|name| match name {
                Some(name) => t!(i18n, chat.typing, name = move || {
                    let name = name.clone();
                    view! { <bdi class="user-text">{name}</bdi> }
                })
                .into_any(),
                None => t!(i18n, chat.someone_typing).into_any(),
            })}
        </p>
    }
}

#[component]
pub(super) fn Composer(
    state: ChatState,
    client: StoredValue<ChatClient>,
    desk: Option<Desk>,
    party: StoredValue<Party>,
    conversation_id: uuid::Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let over_count = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let next_upload = StoredValue::new(0u64);
    let stored_files = move || {
        uploads.with(|all| {
            all.iter()
                .filter_map(|u| u.outcome.get().and_then(Result::ok))
                .collect::<Vec<_>>()
        })
    };
    let uploading = move || uploads.with(|all| all.iter().any(|u| u.outcome.get().is_none()));
    let problem = RwSignal::new(None::<ErrorCode>);
    let blanks = RwSignal::new(false);
    let chars = move || text.with(|t| t.trim().chars().count());
    let empty = move || text.with(|t| t.trim().is_empty());
    let last_typing = StoredValue::new(0f64);
    let note = desk.map(|d| d.note);
    let is_note = move || note.is_some_and(|n| n.get());
    let picked = RwSignal::new(0usize);

    // The canned replies a `/` at the start of the draft asks for.
    let offered = Memo::new(move |_| {
        let Some(desk) = desk else {
            return Vec::new();
        };
        text.with(|draft| match slash_query(draft) {
            Some(query) => desk.canned.with(|all| {
                all.iter()
                    .filter(|reply| matches(query, &reply.shortcut, &reply.title))
                    .cloned()
                    .collect::<Vec<CannedReply>>()
            }),
            None => Vec::new(),
        })
    });
    let insert = move |reply: &CannedReply| {
        if let Some(desk) = desk {
            text.set(desk.fill.get_untracked().apply(&reply.content));
            picked.set(0);
        }
    };

    let submit = move |anyway: bool| {
        if state.ended.get_untracked() {
            return;
        }
        let draft = text.get_untracked();
        if unfilled(&draft) {
            blanks.set(true);
            return;
        }
        if untrack(uploading) {
            return;
        }
        let files = untrack(stored_files);
        // A message of files alone has no text.
        let parsed = match (draft.trim().is_empty(), files.is_empty()) {
            (true, false) => Ok(String::new()),
            _ => MessageBody::parse(&draft).map(|body| body.as_str().to_owned()),
        };
        match parsed {
            Ok(content) => {
                let internal = note.is_some_and(|n| n.get_untracked());
                let extras = SendExtras {
                    internal,
                    mentions: match (internal, desk) {
                        (true, Some(desk)) => {
                            desk.team.with_untracked(|team| mentions_in(&draft, team))
                        }
                        _ => Vec::new(),
                    },
                    guarded: desk.is_some() && !anyway,
                    attachments: files,
                };
                client.with_value(|c| c.send(content, extras));
                text.set(String::new());
                uploads.set(Vec::new());
                over_count.set(false);
                problem.set(None);
                blanks.set(false);
                state.collision.set(None);
            }
            Err(_) if empty() => {}
            Err(_) => problem.set(Some(ErrorCode::Invalid)),
        }
    };
    // A reply the collision guard refused comes back into the box, as it was.
    Effect::new(move |_| {
        if let Some(refused) = state.collision.get() {
            if text.with_untracked(|t| t.trim().is_empty()) {
                text.set(refused.content.clone());
            }
            if let Some(note) = note {
                note.set(refused.internal);
            }
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let offers = offered.with_untracked(Vec::len);
        if offers > 0 {
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    picked.update(|p| *p = (*p + 1) % offers);
                    return;
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    picked.update(|p| *p = (*p + offers - 1) % offers);
                    return;
                }
                "Enter" | "Tab" if !ev.shift_key() => {
                    ev.prevent_default();
                    let chosen = offered
                        .with_untracked(|o| o.get(picked.get_untracked().min(offers - 1)).cloned());
                    if let Some(reply) = chosen {
                        insert(&reply);
                    }
                    return;
                }
                "Escape" => {
                    ev.prevent_default();
                    text.set(String::new());
                    return;
                }
                _ => {}
            }
        }
        // Alt+N switches between a reply and a note (by key position, so any layout works).
        if ev.alt_key() && ev.code() == "KeyN" {
            if let Some(note) = note {
                ev.prevent_default();
                note.update(|n| *n = !*n);
            }
            return;
        }
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit(false);
        }
    };
    // Files picked, pasted or dropped start uploading at once; the message names them when
    // it is sent.
    #[cfg(feature = "hydrate")]
    let add_files = move |files: Vec<web_sys::File>| {
        use super::files::{bearer_of, browser, upload_url};
        if files.is_empty() || state.ended.get_untracked() {
            return;
        }
        let per_message = switchboard::domain::FileLimits::default().per_message;
        let room = per_message.saturating_sub(uploads.with_untracked(Vec::len));
        over_count.set(files.len() > room);
        let url = party.with_value(|p| upload_url(p, conversation_id));
        let bearer = party.with_value(bearer_of);
        for file in files.into_iter().take(room) {
            let key = next_upload.get_value();
            next_upload.set_value(key + 1);
            let upload = Upload {
                key,
                name: StoredValue::new(file.name()),
                size: file.size(),
                progress: RwSignal::new(0.0),
                outcome: RwSignal::new(None),
            };
            uploads.update(|all| all.push(upload));
            let (url, bearer) = (url.clone(), bearer.clone());
            leptos::task::spawn_local(async move {
                let progress = upload.progress;
                let done = browser::upload(&url, bearer.as_deref(), &file, move |part| {
                    progress.try_set(part);
                })
                .await;
                upload.outcome.try_set(Some(done));
            });
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = (conversation_id, next_upload, party);
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let files =
                super::files::browser::files_of(ev.clipboard_data().and_then(|d| d.files()));
            if !files.is_empty() {
                ev.prevent_default();
                add_files(files);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        add_files(super::files::browser::files_of(
            ev.data_transfer().and_then(|d| d.files()),
        ));
    };
    // Moving onto a child of the form is not leaving it.
    let on_dragleave = move |ev: leptos::ev::DragEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let node = |target: Option<web_sys::EventTarget>| {
                target.and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            };
            if let (Some(to), Some(form)) = (node(ev.related_target()), node(ev.current_target())) {
                if form.contains(Some(&to)) {
                    return;
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
        dragging.set(false);
    };
    let on_dragover = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(true);
    };
    let picker = NodeRef::<leptos::html::Input>::new();
    let on_picked = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(input) = picker.get_untracked() {
            add_files(super::files::browser::files_of(input.files()));
            input.set_value("");
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        picked.set(0);
        if blanks.get_untracked() && !text.with_untracked(|t| unfilled(t)) {
            blanks.set(false);
        }
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            if now - last_typing.get_value() > 2_000.0 {
                last_typing.set_value(now);
                let internal = note.is_some_and(|n| n.get_untracked());
                client.with_value(|c| c.typing(internal));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = last_typing;
    };
    let placeholder = move || {
        if is_note() {
            t_string!(i18n, chat.note_placeholder)
        } else {
            t_string!(i18n, chat.placeholder)
        }
    };
    view! {
        <form class=move || match (is_note(), dragging.get()) {
                (true, true) => "composer note dragging",
                (true, false) => "composer note",
                (false, true) => "composer dragging",
                (false, false) => "composer",
            }
            on:submit=move |ev| { ev.prevent_default(); submit(false); }
            on:dragover=on_dragover
            on:dragleave=on_dragleave
            on:drop=on_drop>
            {move || dragging.get().then(|| view! {
                <p class="drop-hint" aria-hidden="true">{t!(i18n, files.drop_here)}</p>
            })}
            {note.map(|note| view! {
                <div class="composer-modes" role="group" aria-label=move || t_string!(i18n, chat.modes)>
                    <button type="button" class="mode" aria-pressed=move || (!note.get()).to_string()
                        on:click=move |_| note.set(false)>{t!(i18n, chat.reply_mode)}</button>
                    <button type="button" class="mode note-mode" aria-pressed=move || note.get().to_string()
                        title=move || t_string!(i18n, chat.note_shortcut)
                        on:click=move |_| note.set(true)>{t!(i18n, chat.note_mode)}</button>
                </div>
            })}
            {move || state.collision.get().map(|_| view! {
                <p class="alert warn collision" role="alert">
                    {t!(i18n, chat.collision)}" "
                    <button type="button" class="secondary" on:click=move |_| submit(true)>
                        {t!(i18n, chat.send_anyway)}
                    </button>
                </p>
            })}
            {move || (!offered.get().is_empty()).then(|| view! {
                <ul class="canned-list" role="listbox" id="canned-list"
                    aria-label=move || t_string!(i18n, chat.canned)>
                    {move || offered.get().into_iter().enumerate().map(|(i, reply)| {
                        let chosen = reply.clone();
                        view! {
                            <li role="option" id=format!("canned-{i}")
                                aria-selected=move || (picked.get() == i).to_string()
                                on:mousedown=move |ev| { ev.prevent_default(); insert(&chosen); }>
                                <span class="shortcut">"/"{reply.shortcut.clone()}</span>
                                " "<span class="title" dir="auto">{reply.title.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <label for=INPUT_ID class="visually-hidden">{placeholder}</label>
            <textarea id=INPUT_ID rows="2"
                placeholder=placeholder
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                on:paste=on_paste
                aria-controls=move || (!offered.get().is_empty()).then_some("canned-list")
                aria-activedescendant=move || (!offered.get().is_empty()).then(|| format!("canned-{}", picked.get()))
                disabled=move || state.ended.get()
            ></textarea>
            {move || (!uploads.with(Vec::is_empty)).then(|| view! { <Tray uploads /> })}
            {move || over_count.get().then(|| view! {
                <p class="alert error" role="alert">{t!(i18n, files.at_most)}</p>
            })}
            <div class="composer-row">
                <input type="file" multiple class="file-picker" node_ref=picker tabindex="-1"
                    aria-hidden="true" on:change=on_picked />
                <button type="button" class="attach secondary"
                    aria-label=move || t_string!(i18n, files.attach)
                    title=move || t_string!(i18n, files.attach)
                    disabled=move || state.ended.get()
                    on:click=move |_| if let Some(input) = picker.get() { input.click() }>
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                        <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9"
                            fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
                    </svg>
                </button>
                {move || (chars() >= COUNTER_FROM).then(|| {
                    let over = chars() > MESSAGE_MAX_CHARS;
                    view! {
                        <span class=if over { "counter over" } else { "counter" } aria-live="polite">
                            {format!("{} / {MESSAGE_MAX_CHARS}", chars())}
                        </span>
                    }
                })}
                {move || problem.get().map(|_| view! {
                    <span class="alert error" role="alert">{t!(i18n, chat.invalid)}</span>
                })}
                {move || blanks.get().then(|| view! {
                    <span class="alert error" role="alert">{t!(i18n, chat.unfilled)}</span>
                })}
                <button type="submit" class="primary"
                    disabled=move || {
                        (empty() && stored_files().is_empty())
                            || uploading()
                            || state.ended.get()
                            || chars() > MESSAGE_MAX_CHARS
                    }>
                    {move || if is_note() { t_string!(i18n, chat.add_note) } else { t_string!(i18n, chat.send) }}
                </button>
            </div>
            {move || (state.link.get() == Link::Offline || state.link.get() == Link::Reconnecting).then(|| view! {
                <p class="hint">{t!(i18n, chat.connection_error)}</p>
            })}
        </form>
    }
}
