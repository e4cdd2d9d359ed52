//! A search walks the matching messages newest first and stops once it has its page: the pages
//! it gives are those of grouping every match.

use std::collections::HashSet;

use switchboard::domain::search::{RawSearch, SearchRequest};
use switchboard::wire::Matched;
use switchboard::{Engine, EngineConfig};

use super::*;

fn search_request(
    q: &str,
    limit: usize,
    cursor: Option<&str>,
    extra: &[(&str, &str)],
) -> SearchRequest {
    let limit = limit.to_string();
    let mut raw = RawSearch {
        q: Some(q),
        limit: Some(&limit),
        cursor,
        ..RawSearch::default()
    };
    for (key, value) in extra {
        match *key {
            "from" => raw.from = Some(value),
            "to" => raw.to = Some(value),
            "kind" => raw.kind = Some(value),
            "assignee" => raw.assignee = Some(value),
            other => panic!("no filter {other}"),
        }
    }
    SearchRequest::parse(raw, Uuid::nil()).unwrap()
}

/// Every page the engine gives, as (conversation, what matched) in order.
async fn walked_pages(
    engine: &Engine,
    q: &str,
    limit: usize,
    extra: &[(&str, &str)],
) -> Vec<Vec<(String, Vec<Matched>)>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let request = search_request(q, limit, cursor.as_deref(), extra);
        let page = engine.search(&request).await.unwrap();
        pages.push(
            page.results
                .iter()
                .map(|result| (result.conversation.id.to_string(), result.matched.clone()))
                .collect(),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
    }
}

/// Every page of grouping every match, as [`walked_pages`] gives them.
async fn grouped_pages(
    store: &Store,
    q: &str,
    limit: usize,
    extra: &[(&str, &str)],
) -> Vec<Vec<(String, Vec<Matched>)>> {
    store.settle_search_index().await.unwrap();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let request = search_request(q, limit, cursor.as_deref(), extra);
        let mut found = store.db().search_conversations(&request).await.unwrap();
        let more = found.len() > limit;
        found.truncate(limit);
        pages.push(
            found
                .iter()
                .map(|f| (f.conversation_id.clone(), f.matched()))
                .collect(),
        );
        if !more {
            return pages;
        }
        let last = found.last().unwrap();
        cursor = Some(format!("{}.{}", last.at, last.conversation_id));
    }
}

/// Stores `news` a hundred a transaction, as the message writer would.
async fn store_all(store: &Store, news: &[NewMessageRow]) {
    for chunk in news.chunks(100) {
        let mut tx = store.begin().await.unwrap();
        tx.insert_messages(&chunk.iter().collect::<Vec<_>>())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339()
}

contract!(
    a_search_walks_to_the_pages_that_grouping_every_match_gives,
    |_url, store| {
        let engine = Engine::new(store.clone(), EngineConfig::new("http://test"));
        let mut sessions = Vec::new();
        for n in 0..30 {
            let mut row = session_row(1_000, i64::MAX);
            // Two sessions whose titles match too: found by their last activity.
            row.title = Some(if n < 2 { "Common ground" } else { "Printer" }.to_owned());
            let mut tx = store.begin().await.unwrap();
            tx.db()
                .insert_conversation(&row.conversation_id, "session", 1_000)
                .await
                .unwrap();
            tx.db().insert_support_session(&row).await.unwrap();
            tx.commit().await.unwrap();
            sessions.push(row);
        }
        // 900 messages, three to a millisecond, spread unevenly over the conversations.
        let news: Vec<NewMessageRow> = (0..900)
            .map(|i: usize| {
                let s = &sessions[(i * 7 + i / 13) % 30];
                let mut words = vec!["common"];
                if i.is_multiple_of(37) {
                    words.push("rare");
                }
                if i.is_multiple_of(3) {
                    words.push("third");
                }
                NewMessageRow {
                    content: words.join(" "),
                    created_at: 10_000 + (i as i64 / 3) * 10,
                    internal: i.is_multiple_of(11),
                    ..new_message(&s.conversation_id, "operator", &format!("k{i}"))
                }
            })
            .collect();
        store_all(&store, &news).await;
        let middle = [("from", time(11_000)), ("to", time(12_000))];
        let middle: Vec<(&str, &str)> = middle.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for q in [
            "common",
            "rare",
            "third common",
            "\"common third\"",
            "comm*",
            "ground",
        ] {
            for limit in [1, 4, 7, 50] {
                for extra in [&[][..], &middle[..], &[("assignee", "none")][..]] {
                    let walked = walked_pages(&engine, q, limit, extra).await;
                    assert_eq!(
                        walked,
                        grouped_pages(&store, q, limit, extra).await,
                        "{q} by {limit} with {extra:?}"
                    );
                    // No conversation comes twice, whatever the page size.
                    let ids: Vec<&String> = walked.iter().flatten().map(|(id, _)| id).collect();
                    let distinct: HashSet<&String> = ids.iter().copied().collect();
                    assert_eq!(ids.len(), distinct.len(), "{q} by {limit}");
                }
            }
        }
        let all = walked_pages(&engine, "common", 50, &[]).await;
        assert_eq!(all.iter().flatten().count(), 30);
        let rare: HashSet<&String> = news
            .iter()
            .filter(|n| n.content.contains("rare"))
            .map(|n| &n.conversation_id)
            .collect();
        assert_eq!(
            walked_pages(&engine, "rare", 50, &[]).await[0].len(),
            rare.len()
        );
    }
);

contract!(
    a_common_word_in_conversations_filtered_out_still_finds_the_few_that_are_not,
    |_url, store| {
        let engine = Engine::new(store.clone(), EngineConfig::new("http://test"));
        let busy = session(&store, 1_000, i64::MAX).await;
        // A support conversation: the one `kind=support` keeps.
        let customer = store
            .db()
            .insert_customer(&customer_row(None, Some("visitor"), 1_000))
            .await
            .unwrap();
        let support = store
            .db()
            .ensure_customer_conversation(&customer.id, &id(), 1_000)
            .await
            .unwrap();
        let old = NewMessageRow {
            content: "again and again".to_owned(),
            created_at: 2_000,
            ..new_message(&support, "customer", "old")
        };
        // More matches in the session than a walk reads before it groups them all instead.
        let news: Vec<NewMessageRow> = std::iter::once(old)
            .chain((0..4_500).map(|i| NewMessageRow {
                content: "again".to_owned(),
                created_at: 3_000 + i,
                ..new_message(&busy.conversation_id, "guest", &format!("k{i}"))
            }))
            .collect();
        store_all(&store, &news).await;
        let only_support = [("kind", "support")];
        let pages = walked_pages(&engine, "again", 20, &only_support).await;
        assert_eq!(pages, [vec![(support.clone(), vec![Matched::Messages])]],);
        let pages = walked_pages(&engine, "again", 20, &[]).await;
        assert_eq!(
            pages,
            [vec![
                (busy.conversation_id.clone(), vec![Matched::Messages]),
                (support, vec![Matched::Messages])
            ]],
        );
    }
);

contract!(
    a_conversations_newest_matches_are_found_near_its_end_and_deep_in_its_history,
    |_url, store| {
        let engine = Engine::new(store.clone(), EngineConfig::new("http://test"));
        let long = session(&store, 1_000, i64::MAX).await;
        // 1,200 messages: "needle" in the oldest few (deeper than the engine reads through
        // before it asks the index), "common" near the end.
        let news: Vec<NewMessageRow> = (1..=1_200)
            .map(|i: i64| {
                let content = match i {
                    3 | 7 => "a needle here".to_owned(),
                    5 => "needle in a note".to_owned(),
                    1_190.. => format!("common {i}"),
                    _ => format!("filler {i}"),
                };
                NewMessageRow {
                    content,
                    created_at: 10_000 + i,
                    internal: i == 5,
                    ..new_message(&long.conversation_id, "operator", &format!("k{i}"))
                }
            })
            .collect();
        store_all(&store, &news).await;
        let hit_seqs = |page: switchboard::wire::SearchPage| -> Vec<Vec<i64>> {
            page.results
                .iter()
                .map(|r| r.hits.iter().map(|h| h.seq).collect())
                .collect()
        };
        let deep = engine
            .search(&search_request("needle", 20, None, &[]))
            .await
            .unwrap();
        assert_eq!(hit_seqs(deep), [vec![7, 5, 3]]);
        let near = engine
            .search(&search_request("common", 20, None, &[]))
            .await
            .unwrap();
        assert_eq!(hit_seqs(near), [vec![1_200, 1_199, 1_198]]);
        // Only what was said within the times asked for.
        let before = [("to", time(10_000 + 1_199))];
        let before: Vec<(&str, &str)> = before.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bounded = engine
            .search(&search_request("common", 20, None, &before))
            .await
            .unwrap();
        assert_eq!(hit_seqs(bounded), [vec![1_198, 1_197, 1_196]]);
    }
);
