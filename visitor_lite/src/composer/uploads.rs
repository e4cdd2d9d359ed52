//! Files attached in the composer: each one uploaded as soon as it is picked, pasted or
//! dropped, its progress and outcome shown in the tray until the message that carries it goes.

use switchboard::domain::{file_size_text, FileLimits};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, FileList, FormData, ProgressEvent, XmlHttpRequest};

use super::Composer;
use crate::dom;
use crate::json::{self, Json};
use crate::message::File;

/// A file on its way up, or up.
pub(super) struct Upload {
    pub(super) key: u32,
    pub(super) size: f64,
    pub(super) row: Element,
    pub(super) done: Option<File>,
    pub(super) failed: bool,
}

impl Composer {
    /// Takes files to attach, as many as a message may carry, and starts their uploads.
    pub(super) fn add(&self, files: &FileList) {
        if files.length() == 0 || self.0.panel.connection().chat(|chat| chat.cut_off()) {
            return;
        }
        let room = FileLimits::default()
            .per_message
            .saturating_sub(self.0.uploads.borrow().len());
        self.0.over_count.set(files.length() as usize > room);
        for i in 0..(files.length() as usize).min(room) {
            if let Some(file) = files.item(i as u32) {
                self.upload(file);
            }
        }
        self.draw();
    }

    fn tray(&self) -> Element {
        if let Some(tray) = dom::find_in(&self.0.form, "ul.uploads") {
            return tray;
        }
        let tray = dom::make("ul", "uploads");
        dom::set(
            &tray,
            "aria-label",
            &self.0.panel.strings().get("files.attached"),
        );
        let _ = self.0.input.after_with_node_1(&tray);
        tray
    }

    fn upload(&self, file: web_sys::File) {
        let strings = self.0.panel.strings();
        let key = self.0.next_key.get();
        self.0.next_key.set(key + 1);
        let name = file.name();
        let row = dom::make("li", "upload");
        let label = dom::make("span", "file-name");
        dom::set(&label, "dir", "auto");
        dom::append(&label, &dom::make_text("bdi", "", &name));
        dom::append(&row, &label);
        let progress = dom::make("progress", "");
        dom::set(&progress, "max", "1");
        dom::set(&progress, "value", "0");
        dom::set(
            &progress,
            "aria-label",
            &format!("{} {name}", strings.get("files.uploading")),
        );
        dom::append(&row, &progress);
        let remove = dom::make_text("button", "link remove", "×");
        dom::set(&remove, "type", "button");
        dom::set(&remove, "data-remove", &key.to_string());
        dom::set(
            &remove,
            "aria-label",
            &format!("{} {name}", strings.get("files.remove")),
        );
        dom::append(&row, &remove);
        dom::append(&self.tray(), &row);
        self.0.uploads.borrow_mut().push(Upload {
            key,
            size: file.size(),
            row,
            done: None,
            failed: false,
        });

        let Ok(xhr) = XmlHttpRequest::new() else {
            self.finished(key, 0, String::new());
            return;
        };
        let party = self.0.panel.connection().party();
        if xhr.open("POST", &party.upload_url()).is_err() {
            self.finished(key, 0, String::new());
            return;
        }
        if let Some(token) = party.bearer() {
            let _ = xhr.set_request_header("authorization", &format!("Bearer {token}"));
        }
        if let Ok(upload) = xhr.upload() {
            let bar = progress.clone();
            dom::listen::<ProgressEvent>(&upload, "progress", move |event| {
                if event.length_computable() && event.total() > 0.0 {
                    // A property, not an attribute: no float formatting in the wasm.
                    let _ = js_sys::Reflect::set(
                        &bar,
                        &JsValue::from_str("value"),
                        &JsValue::from_f64(event.loaded() / event.total()),
                    );
                }
            });
        }
        let me = self.clone();
        let handle = xhr.clone();
        let done = Closure::once_into_js(move || {
            let status = handle.status().unwrap_or(0);
            let body = handle.response_text().ok().flatten().unwrap_or_default();
            me.finished(key, status, body);
        });
        xhr.set_onloadend(Some(done.unchecked_ref()));
        let Ok(form) = FormData::new() else {
            return;
        };
        let _ = form.append_with_blob_and_filename("file", &file, &file.name());
        let _ = xhr.send_with_opt_form_data(Some(&form));
    }

    /// An upload ended with `status`: the file is up, or the row says why not.
    fn finished(&self, key: u32, status: u16, body: String) {
        let strings = self.0.panel.strings();
        let stored = (status == 201)
            .then(|| Json::parse(&body))
            .flatten()
            .and_then(|answer| json::file(&answer.get("file")));
        {
            let mut uploads = self.0.uploads.borrow_mut();
            let Some(upload) = uploads.iter_mut().find(|u| u.key == key) else {
                return;
            };
            if let Some(progress) = dom::find_in(&upload.row, "progress") {
                progress.remove();
            }
            let remove = dom::find_in(&upload.row, ".remove");
            let outcome = match stored {
                Some(file) => {
                    upload.done = Some(file);
                    let _ = upload.row.class_list().add_1("done");
                    let details = dom::make("span", "file-details");
                    let size = file_size_text(
                        upload.size as i64,
                        &strings.get("files.kb"),
                        &strings.get("files.mb"),
                    );
                    dom::append(&details, &dom::make_text("bdi", "", &size));
                    details
                }
                None => {
                    upload.failed = true;
                    let _ = upload.row.class_list().add_1("failed");
                    let key = match status {
                        413 => "files.too_large",
                        415 => "files.unsupported",
                        422 => "files.unreadable",
                        429 => "files.too_many",
                        _ => "files.failed",
                    };
                    let alert = dom::make_text("span", "alert error", &strings.get(key));
                    dom::set(&alert, "role", "alert");
                    alert
                }
            };
            let _ = upload
                .row
                .insert_before(&outcome, remove.as_ref().map(|r| r.as_ref()));
        }
        self.draw();
    }

    pub(super) fn remove(&self, key: u32) {
        let mut uploads = self.0.uploads.borrow_mut();
        if let Some(at) = uploads.iter().position(|u| u.key == key) {
            uploads.remove(at).row.remove();
        }
        let empty = uploads.is_empty();
        drop(uploads);
        if empty {
            if let Some(tray) = dom::find_in(&self.0.form, "ul.uploads") {
                tray.remove();
            }
        }
        self.0.over_count.set(false);
        self.draw();
    }
}
