//! Who the page speaks for, and the addresses that follow from it.

use switchboard::wire::SenderKind;

use crate::net;

/// Who the page speaks for, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// A guest with a session link's token.
    Guest(String),
    /// A website customer with a bearer widget token: the widget's and the hosted chat's side.
    Customer(String),
}

impl Party {
    /// The kind of this side's own messages.
    pub fn kind(&self) -> SenderKind {
        match self {
            Self::Guest(_) => SenderKind::Guest,
            Self::Customer(_) => SenderKind::Customer,
        }
    }

    /// The credential REST calls carry as a bearer (customers only; a guest's is in the path).
    pub fn bearer(&self) -> Option<&str> {
        match self {
            Self::Guest(_) => None,
            Self::Customer(token) => Some(token),
        }
    }

    /// Where messages are read and posted over REST.
    pub fn messages_url(&self) -> String {
        match self {
            Self::Guest(token) => format!("/support/guest/{}/messages", net::encode(token)),
            Self::Customer(_) => "/api/v1/widget/messages".into(),
        }
    }

    /// Where files are uploaded.
    pub fn upload_url(&self) -> String {
        match self {
            Self::Guest(token) => format!("/support/guest/{}/files", net::encode(token)),
            Self::Customer(_) => "/api/v1/widget/files".into(),
        }
    }

    /// Where a stored file (or its thumbnail) is downloaded.
    pub fn file_url(&self, id: &str, thumbnail: bool) -> String {
        let base = match self {
            Self::Guest(token) => format!("/support/guest/{}/files/{id}", net::encode(token)),
            Self::Customer(_) => format!("/api/v1/widget/files/{id}"),
        };
        if thumbnail {
            format!("{base}/thumbnail")
        } else {
            base
        }
    }

    pub(super) fn socket_path(&self, guest_name: Option<&str>) -> String {
        match self {
            Self::Guest(token) => format!(
                "/ws?guest_token={}&guest_name={}",
                net::encode(token),
                net::encode(guest_name.unwrap_or_default())
            ),
            Self::Customer(token) => format!("/ws?widget_token={}", net::encode(token)),
        }
    }
}
