//! Remote-support sessions: listing, ending, replacing the link, joining.

use super::*;

contract!(support_sessions_list_end_rotate_and_join, |_url, store| {
    let open = session(&store, 1_000, 100_000).await;
    let expired = session(&store, 2_000, 3_000).await;
    let listed = |filter| {
        let store = store.clone();
        async move {
            store
                .db()
                .support_sessions(filter, None, 50_000, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(SessionFilter::Open).await, vec![open.id.clone()]);
    assert_eq!(listed(SessionFilter::Ended).await, vec![expired.id.clone()]);
    let open_id = Uuid::parse_str(&open.id).unwrap();
    let conversation = Uuid::parse_str(&open.conversation_id).unwrap();
    let digest = Token::from_presented("x").digest();
    let same = |row: Option<SessionRow>| row.map(|r| r.id);
    assert_eq!(
        same(store.db().support_session(open_id).await.unwrap()),
        Some(open.id.clone())
    );
    assert_eq!(
        same(
            store
                .db()
                .session_by_conversation(conversation)
                .await
                .unwrap()
        ),
        Some(open.id.clone())
    );
    assert!(store
        .db()
        .replace_guest_token(open_id, &digest, 50_000, 200_000)
        .await
        .unwrap());
    let rotated = store
        .db()
        .support_session_by_token(&digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (rotated.id.as_str(), rotated.expires_at),
        (open.id.as_str(), 200_000)
    );
    store
        .db()
        .mark_session_joined(open_id, 60_000)
        .await
        .unwrap();
    store
        .db()
        .mark_session_joined(open_id, 70_000)
        .await
        .unwrap();
    let ended = store
        .db()
        .end_support_session(open_id, 80_000, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.joined_at, ended.ended_at),
        (Some(60_000), Some(80_000))
    );
    let again = store
        .db()
        .end_support_session(open_id, 90_000, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.ended_at, Some(80_000), "the first end stays");
    assert!(!store
        .db()
        .replace_guest_token(open_id, &digest, 90_000, 300_000)
        .await
        .unwrap());
    let expired_id = Uuid::parse_str(&expired.id).unwrap();
    let expired_end = store
        .db()
        .end_support_session(expired_id, 90_000, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        expired_end.ended_at,
        Some(3_000),
        "an expired session ended at its expiry"
    );
    assert!(store
        .db()
        .end_support_session(Uuid::now_v7(), 1, None)
        .await
        .unwrap()
        .is_none());
    let stored = ended.to_session().unwrap();
    assert_eq!(stored.id, open_id);
});
