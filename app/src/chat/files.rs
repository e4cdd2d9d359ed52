//! Files in the chat: where each party's files are, what a message shows of its attachments
//! (thumbnails that open full size, cards that download), and the uploads a composer makes.

use leptos::prelude::*;
use switchboard::domain::{file_kind_text, file_size_text};
use switchboard::wire::FileInfo;
use uuid::Uuid;

use crate::i18n::*;
use crate::realtime::Party;

/// Where a party uploads into its conversation.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) fn upload_url(party: &Party, conversation_id: Uuid) -> String {
    match party {
        Party::Operator => format!("/api/v1/conversations/{conversation_id}/files"),
        Party::Guest { token } => format!("/support/guest/{token}/files"),
        Party::Customer { .. } => "/api/v1/widget/files".to_owned(),
    }
}

/// Where a party fetches a file (or its thumbnail).
fn file_url(party: &Party, id: Uuid, thumbnail: bool) -> String {
    let tail = if thumbnail { "/thumbnail" } else { "" };
    match party {
        Party::Operator => format!("/api/v1/files/{id}{tail}"),
        Party::Guest { token } => format!("/support/guest/{token}/files/{id}{tail}"),
        Party::Customer { .. } => format!("/api/v1/widget/files/{id}{tail}"),
    }
}

/// The bearer token a customer's requests carry (cookies and link tokens go by themselves).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) fn bearer_of(party: &Party) -> Option<String> {
    match party {
        Party::Customer { token } => Some(token.clone()),
        Party::Operator | Party::Guest { .. } => None,
    }
}

/// A message's files: images as thumbnails that open full size, other files as cards that
/// download.
#[component]
pub(super) fn Attachments(files: Vec<FileInfo>, party: StoredValue<Party>) -> impl IntoView {
    let i18n = use_i18n();
    let viewing = RwSignal::new(None::<FileInfo>);
    let (images, others): (Vec<FileInfo>, Vec<FileInfo>) =
        files.into_iter().partition(|file| file.thumbnail);
    view! {
        <div class="attachments">
            {images.into_iter().map(|file| {
                let shown = file.clone();
                let src = source(party, file.id, true);
                let label = format!("{}: {}", t_string!(i18n, files.open), file.name);
                view! {
                    <button type="button" class="file-thumb" aria-label=label
                        on:click=move |_| viewing.set(Some(shown.clone()))>
                        <img src=move || src.get() alt=file.name.clone()
                            width=file.width.map(|w| w.min(320)) height=file.height.map(|h| h.min(320)) />
                    </button>
                }
            }).collect_view()}
            {others.into_iter().map(|file| view! { <FileCard file party /> }).collect_view()}
            {move || viewing.get().map(|file| view! { <Viewer file party close=move || viewing.set(None) /> })}
        </div>
    }
}

/// A file that is not an image: its name, kind and size, and a download.
#[component]
fn FileCard(file: FileInfo, party: StoredValue<Party>) -> impl IntoView {
    let i18n = use_i18n();
    let url = party.with_value(|p| file_url(p, file.id, false));
    let bearer = party.with_value(bearer_of);
    let kind = file_kind_text(&file.content_type).to_owned();
    let details = {
        let (kind, size) = (kind.clone(), file.size);
        move || {
            format!(
                "{kind} · {}",
                file_size_text(size, t_string!(i18n, files.kb), t_string!(i18n, files.mb))
            )
        }
    };
    let name = file.name.clone();
    let label = format!("{}: {}", t_string!(i18n, files.download), file.name);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        // A customer's download needs the widget token, which a plain link cannot carry.
        if let Some(token) = bearer.clone() {
            ev.prevent_default();
            #[cfg(feature = "hydrate")]
            {
                let (url, name) = (url.clone(), name.clone());
                leptos::task::spawn_local(async move {
                    if let Some(blob_url) = browser::blob_url(&url, Some(&token)).await {
                        browser::save_as(&blob_url, &name);
                    }
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (token, &name, &url);
        }
    };
    view! {
        <a class="file-card" href=party.with_value(|p| file_url(p, file.id, false))
            download=file.name.clone() aria-label=label on:click=on_click>
            <span class="file-icon" aria-hidden="true">{kind}</span>
            <span class="file-name" dir="auto"><bdi>{file.name.clone()}</bdi></span>
            <span class="file-details"><bdi>{details}</bdi></span>
        </a>
    }
}

/// An image at full size over the page, until closed (Escape, the button, or a click beside
/// it).
#[component]
fn Viewer(
    file: FileInfo,
    party: StoredValue<Party>,
    close: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let src = source(party, file.id, false);
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="image-viewer" role="dialog" aria-modal="true" aria-label=file.name.clone()
            on:click=move |_| close()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { close() }>
            <img src=move || src.get() alt=file.name.clone() on:click=|ev| ev.stop_propagation() />
            <button type="button" class="image-viewer-close" node_ref=button on:click=move |_| close()>
                {t!(i18n, files.close)}
            </button>
        </div>
    }
}

/// The address an `<img>` shows a file from: its URL for operators and guests, and for a
/// customer (whose credential a URL cannot carry) a blob URL fetched with the widget token, made
/// once the page runs and revoked when the image goes.
fn source(party: StoredValue<Party>, id: Uuid, thumbnail: bool) -> RwSignal<Option<String>> {
    let url = party.with_value(|p| file_url(p, id, thumbnail));
    let Some(token) = party.with_value(bearer_of) else {
        return RwSignal::new(Some(url));
    };
    let src = RwSignal::new(None);
    #[cfg(feature = "hydrate")]
    {
        leptos::task::spawn_local(async move {
            if let Some(blob_url) = browser::blob_url(&url, Some(&token)).await {
                src.try_set(Some(blob_url));
            }
        });
        on_cleanup(move || {
            if let Some(Some(blob_url)) = src.try_get_untracked() {
                let _ = web_sys::Url::revoke_object_url(&blob_url);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, token);
    src
}

/// An upload in the composer: the file's name and size, how far it is, and how it ended.
#[derive(Clone, Copy)]
pub(super) struct Upload {
    /// Which upload this is, within the composer.
    pub key: u64,
    /// The file's name as picked.
    pub name: StoredValue<String>,
    /// Bytes.
    pub size: f64,
    /// From 0 to 1.
    pub progress: RwSignal<f64>,
    /// `None` while it runs; the stored file, or why it was refused.
    pub outcome: RwSignal<Option<Result<FileInfo, Refused>>>,
}

/// Why an upload did not go through, in the words the composer shows.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// Over the size limit or the conversation's quota.
    TooLarge,
    /// A kind of file the server does not take.
    Unsupported,
    /// An image that does not decode, or has too many pixels.
    Unreadable,
    /// Too many uploads in a minute.
    TooMany,
    /// The network or the server failed.
    Failed,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Refused {
    /// The refusal an HTTP status stands for.
    pub fn of_status(status: u16) -> Self {
        match status {
            413 => Self::TooLarge,
            415 => Self::Unsupported,
            422 => Self::Unreadable,
            429 => Self::TooMany,
            _ => Self::Failed,
        }
    }
}

/// The uploads of a composer, as chips with a progress bar, a refusal, and a remove button.
#[component]
pub(super) fn Tray(uploads: RwSignal<Vec<Upload>>) -> impl IntoView {
    let i18n = use_i18n();
    let remove = move |key: u64| uploads.update(|all| all.retain(|u| u.key != key));
    view! {
        <ul class="uploads" aria-label=move || t_string!(i18n, files.attached)>
            <For each=move || uploads.get() key=|u| u.key let:upload>
                <li class=move || match upload.outcome.get() {
                    Some(Err(_)) => "upload failed",
                    Some(Ok(_)) => "upload done",
                    None => "upload",
                }>
                    <span class="file-name" dir="auto"><bdi>{upload.name.get_value()}</bdi></span>
                    {move || match upload.outcome.get() {
                        None => view! {
                            <progress max="1" value=move || upload.progress.get()
                                aria-label=move || format!("{} {}", t_string!(i18n, files.uploading), upload.name.get_value())></progress>
                        }.into_any(),
                        Some(Ok(_)) => view! {
                            <span class="file-details"><bdi>
                                {file_size_text(upload.size as i64, t_string!(i18n, files.kb), t_string!(i18n, files.mb))}
                            </bdi></span>
                        }.into_any(),
                        Some(Err(why)) => view! {
                            <span class="alert error" role="alert">{refusal_text(i18n, why)}</span>
                        }.into_any(),
                    }}
                    <button type="button" class="link remove"
                        aria-label=move || format!("{} {}", t_string!(i18n, files.remove), upload.name.get_value())
                        on:click=move |_| remove(upload.key)>"×"</button>
                </li>
            </For>
        </ul>
    }
}

/// What the composer says about a refusal.
pub(super) fn refusal_text(i18n: leptos_i18n::I18nContext<Locale>, why: Refused) -> String {
    match why {
        Refused::TooLarge => t_string!(i18n, files.too_large),
        Refused::Unsupported => t_string!(i18n, files.unsupported),
        Refused::Unreadable => t_string!(i18n, files.unreadable),
        Refused::TooMany => t_string!(i18n, files.too_many),
        Refused::Failed => t_string!(i18n, files.failed),
    }
    .to_owned()
}

/// The browser's part: uploads with progress, and files fetched with a bearer token.
#[cfg(feature = "hydrate")]
pub(super) mod browser {
    use switchboard::wire::{FileEnvelope, FileInfo};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

    use super::Refused;

    /// Uploads `file` to `url` (with the bearer token, when given), telling `progress` how far
    /// it is (0 to 1): the stored file, or why it was refused. XMLHttpRequest, because `fetch`
    /// does not report an upload's progress.
    pub async fn upload(
        url: &str,
        bearer: Option<&str>,
        file: &File,
        progress: impl Fn(f64) + 'static,
    ) -> Result<FileInfo, Refused> {
        let failed = |_| Refused::Failed;
        let xhr = XmlHttpRequest::new().map_err(failed)?;
        xhr.open_with_async("POST", url, true).map_err(failed)?;
        if let Some(token) = bearer {
            xhr.set_request_header("authorization", &format!("Bearer {token}"))
                .map_err(failed)?;
        }
        let form = FormData::new().map_err(failed)?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed)?;
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
            if ev.length_computable() && ev.total() > 0.0 {
                progress(ev.loaded() / ev.total());
            }
        });
        if let Ok(target) = xhr.upload() {
            target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let ended = js_sys::Promise::new(&mut |resolve, _reject| {
            xhr.set_onloadend(Some(&resolve));
        });
        xhr.send_with_opt_form_data(Some(&form)).map_err(failed)?;
        let _ = wasm_bindgen_futures::JsFuture::from(ended).await;
        drop(on_progress);
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        match status {
            201 => crate::load::read_json::<FileEnvelope>(&text)
                .map(|envelope| envelope.file)
                .map_err(|_| Refused::Failed),
            other => Err(Refused::of_status(other)),
        }
    }

    /// Fetches `url` with the bearer token and makes a blob URL of it.
    pub async fn blob_url(url: &str, bearer: Option<&str>) -> Option<String> {
        let mut request = gloo_net::http::Request::get(url);
        if let Some(token) = bearer {
            request = request.header("authorization", &format!("Bearer {token}"));
        }
        let response = request.send().await.ok().filter(|r| r.ok())?;
        let bytes = response.binary().await.ok()?;
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
        let options = web_sys::BlobPropertyBag::new();
        if let Some(kind) = response.headers().get("content-type") {
            options.set_type(&kind);
        }
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
        web_sys::Url::create_object_url_with_blob(&blob).ok()
    }

    /// Saves a blob URL as a file named `name`.
    pub fn save_as(blob_url: &str, name: &str) {
        let Some(link) = leptos::prelude::document()
            .create_element("a")
            .ok()
            .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        link.set_href(blob_url);
        link.set_download(name);
        link.click();
        // The download reads the blob after this returns; let it go a minute later.
        let blob_url = blob_url.to_owned();
        leptos::prelude::set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&blob_url);
            },
            std::time::Duration::from_secs(60),
        );
    }

    /// The files in a list the browser gave (a picker, a paste, a drop).
    pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
        let Some(list) = list else {
            return Vec::new();
        };
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_party_fetches_through_its_own_door() {
        let id = Uuid::from_u128(1);
        let guest = Party::Guest {
            token: "tok".into(),
        };
        assert_eq!(
            file_url(&guest, id, true),
            format!("/support/guest/tok/files/{id}/thumbnail")
        );
        assert_eq!(
            file_url(&Party::Operator, id, false),
            format!("/api/v1/files/{id}")
        );
        assert_eq!(
            upload_url(&Party::Customer { token: "w".into() }, id),
            "/api/v1/widget/files"
        );
        assert_eq!(Refused::of_status(413), Refused::TooLarge);
        assert_eq!(Refused::of_status(0), Refused::Failed);
    }
}
