//! The words of the launcher that the loader draws on the host page, in the visitor's
//! language: the server sends them with the unread count (`POST /api/v1/widget/launcher`), so
//! the loader carries no translations.

use switchboard::wire::LauncherLabels;

use crate::i18n::{td_string, Locale};

/// The launcher's labels in `locale` for `unread` replies.
pub fn launcher_labels(locale: Locale, unread: i64) -> LauncherLabels {
    let count = usize::try_from(unread).unwrap_or(0);
    LauncherLabels {
        open: td_string!(locale, widget.open).to_owned(),
        close: td_string!(locale, widget.close).to_owned(),
        unread: if count == 0 {
            String::new()
        } else {
            td_string!(locale, chat.unread, count = count).to_string()
        },
    }
}
