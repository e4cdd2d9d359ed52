//! Web addresses in a message become links ([`switchboard::domain::links`] finds them).

use leptos::prelude::*;
use switchboard::domain::links::{pieces, Piece};

/// A message's text with its web addresses linked; they open in a new tab and tell the site
/// nothing about where the reader came from.
#[component]
pub fn LinkedText(text: String) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.into_any(),
            Piece::Link(address) => {
                let shown = address.clone();
                view! {
                    <a href=address target="_blank" rel="noopener noreferrer nofollow">
                        {shown}
                    </a>
                }
                .into_any()
            }
        })
        .collect_view()
}
