//! `/search`: the whole history searched, from the box in the header: the conversations that
//! match, newest match first, each with its newest matching messages; a message opens its
//! conversation scrolled to it. The filters are a plain form, so the address holds the search.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use switchboard::wire::{ErrorCode, Matched, SearchHit, SearchPage, SearchResult};

use super::inbox_list::CustomerLabel;
use crate::api::{load_desk, search_history, DeskView, SearchParams};
use crate::clock::Time;
use crate::components::{ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;

/// The search page: `?q=…&status=…&assignee=…&label=…&kind=…&from=…&to=…&cursor=…`.
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = Memo::new(move |_| SearchParams::from_query(|key| query.read().get(key)));
    let desk = load(|| (), |_| load_desk());
    let page = load(
        move || params.get(),
        |params| async move {
            if params.q.trim().is_empty() {
                Ok(None)
            } else {
                search_history(params).await.map(Some)
            }
        },
    );
    view! {
        <Title text=t_string!(i18n, search.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, search.title)}</h1>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let params = params.get();
                    match (desk.await, page.await) {
                        (Ok(desk), Ok(page)) => view! {
                            <Filters params=params.clone() desk />
                            <Results params page />
                        }.into_any(),
                        (Err(error), _) | (_, Err(error)) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        (Ok(desk), Err(error)) => view! {
                            <Filters params desk />
                            <ErrorAlert error />
                        }.into_any(),
                        (Err(error), _) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

/// One `<option>`, chosen when it is the value given.
fn choice(value: String, chosen: &str, text: String) -> impl IntoView {
    let selected = value == chosen;
    view! { <option value=value selected=selected>{text}</option> }
}

#[component]
fn Filters(params: SearchParams, desk: DeskView) -> impl IntoView {
    let i18n = use_i18n();
    let status = [
        ("", t_string!(i18n, search.any_status)),
        ("active", t_string!(i18n, search.active)),
        ("archived", t_string!(i18n, search.archived)),
    ]
    .map(|(value, text)| choice(value.to_owned(), &params.status, text.to_owned()))
    .collect_view();
    let fixed = [
        ("", t_string!(i18n, search.anyone)),
        ("me", t_string!(i18n, search.me)),
        ("none", t_string!(i18n, search.unassigned)),
    ]
    .map(|(value, text)| choice(value.to_owned(), &params.assignee, text.to_owned()))
    .collect_view();
    let people = desk
        .team
        .into_iter()
        .filter(|member| member.id != desk.me.id)
        .map(|member| choice(member.id.to_string(), &params.assignee, member.name))
        .collect_view();
    let labels = desk
        .labels
        .into_iter()
        .map(|label| choice(label.id.to_string(), &params.label, label.name))
        .collect_view();
    let kinds = [
        ("", t_string!(i18n, search.any_kind)),
        ("support", t_string!(i18n, search.support)),
        ("session", t_string!(i18n, search.session)),
    ]
    .map(|(value, text)| choice(value.to_owned(), &params.kind, text.to_owned()))
    .collect_view();
    view! {
        <form method="get" action="/search" class="filters search-filters" role="search">
            <div class="field search-words">
                <label for="search-q">{t!(i18n, search.query)}</label>
                <input id="search-q" type="search" name="q" value=params.q maxlength="200"
                    aria-describedby="search-hint" />
                <p id="search-hint" class="hint">{t!(i18n, search.hint)}</p>
            </div>
            <div class="field">
                <label for="search-status">{t!(i18n, search.status)}</label>
                <select id="search-status" name="status">{status}</select>
            </div>
            <div class="field">
                <label for="search-assignee">{t!(i18n, search.assignee)}</label>
                <select id="search-assignee" name="assignee">{fixed}{people}</select>
            </div>
            <div class="field">
                <label for="search-label">{t!(i18n, search.label)}</label>
                <select id="search-label" name="label">
                    <option value="">{t!(i18n, search.any_label)}</option>
                    {labels}
                </select>
            </div>
            <div class="field">
                <label for="search-kind">{t!(i18n, search.kind)}</label>
                <select id="search-kind" name="kind">{kinds}</select>
            </div>
            <div class="field">
                <label for="search-from">{t!(i18n, search.from)}</label>
                <input id="search-from" type="date" name="from" value=params.from />
            </div>
            <div class="field">
                <label for="search-to">{t!(i18n, search.to)}</label>
                <input id="search-to" type="date" name="to" value=params.to />
            </div>
            <button type="submit">{t!(i18n, search.submit)}</button>
        </form>
    }
}

#[component]
fn Results(params: SearchParams, page: Option<SearchPage>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(page) = page else {
        return view! { <p class="hint">{t!(i18n, search.start)}</p> }.into_any();
    };
    if page.results.is_empty() {
        return view! { <p class="hint" role="status">{t!(i18n, search.empty)}</p> }.into_any();
    }
    let more = page.next_cursor.map(|cursor| {
        SearchParams {
            cursor,
            ..params.clone()
        }
        .href()
    });
    let results = page
        .results
        .into_iter()
        .map(|result| view! { <ResultRow result /> })
        .collect_view();
    view! {
        <h2 class="visually-hidden">{t!(i18n, search.results)}</h2>
        <ol class="search-results">{results}</ol>
        {more.map(|href| view! { <p><a href=href class="button secondary">{t!(i18n, search.more)}</a></p> })}
    }
    .into_any()
}

#[component]
fn ResultRow(result: SearchResult) -> impl IntoView {
    let i18n = use_i18n();
    let item = result.conversation;
    let id = item.id;
    // The conversation opens at its newest match, or at its end when only its customer or
    // title matched.
    let href = match result.hits.first() {
        Some(hit) => format!("/inbox/{id}?seq={}", hit.seq),
        None => format!("/inbox/{id}"),
    };
    let why = result
        .matched
        .iter()
        .filter_map(|matched| match matched {
            Matched::Customer => Some(t_string!(i18n, search.matched_customer)),
            Matched::Title => Some(t_string!(i18n, search.matched_title)),
            Matched::Messages => None,
        })
        .map(|text| view! { <span class="badge">{text}</span> })
        .collect_view();
    let hits = result
        .hits
        .into_iter()
        .map(|hit| view! { <HitRow id hit /> })
        .collect_view();
    view! {
        <li class="search-result">
            <p class="who">
                <a href=href><CustomerLabel customer=item.customer /></a>
                " "
                {item.archived.then(|| view! { <span class="badge">{t!(i18n, search.archived)}</span> })}
                {why}
            </p>
            <ul class="hits">{hits}</ul>
        </li>
    }
}

#[component]
fn HitRow(id: uuid::Uuid, hit: SearchHit) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/inbox/{id}?seq={}", hit.seq);
    view! {
        <li class:note=hit.internal>
            <a href=href>
                <Time at=hit.created_at />
                {hit.internal.then(|| view! { " " <span class="badge note-badge">{t!(i18n, search.note)}</span> })}
                " "
                <Snippet html=hit.snippet />
            </a>
        </li>
    }
}

/// A snippet as text with its matches marked: the server escapes it and adds only `<mark>`,
/// and it is drawn here as text nodes and `<mark>` elements, never parsed as HTML.
#[component]
fn Snippet(html: String) -> impl IntoView {
    let parts = snippet_parts(&html)
        .into_iter()
        .map(|(marked, text)| {
            if marked {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view();
    view! { <bdi class="snippet user-text">{parts}</bdi> }
}

/// The pieces of a snippet, in order: whether each is a match, and its text unescaped.
fn snippet_parts(html: &str) -> Vec<(bool, String)> {
    let unescape = |text: &str| {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let mut parts = Vec::new();
    for (n, piece) in html.split("<mark>").enumerate() {
        let (marked, rest) = match piece.split_once("</mark>") {
            Some((marked, rest)) if n > 0 => (Some(marked), rest),
            _ => (None, piece),
        };
        if let Some(marked) = marked {
            parts.push((true, unescape(marked)));
        }
        if !rest.is_empty() {
            parts.push((false, unescape(rest)));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_becomes_text_and_marks_with_its_escapes_undone_once() {
        assert_eq!(
            snippet_parts("…a &lt;script&gt; and <mark>printer</mark> &amp;lt; <mark>jam</mark>"),
            [
                (false, "…a <script> and ".to_owned()),
                (true, "printer".to_owned()),
                (false, " &lt; ".to_owned()),
                (true, "jam".to_owned()),
            ]
        );
        assert_eq!(snippet_parts("plain"), [(false, "plain".to_owned())]);
    }
}
