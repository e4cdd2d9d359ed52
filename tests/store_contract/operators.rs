//! Operators, their sign-in sessions and devices, and the sign-in limiter's counts.

use super::*;
use switchboard::auth::TokenDigest;
use switchboard::store::NewSignIn;

/// A sign-in of `operator_id` with the cookie digest `digest`; its public id is the digest's
/// first 32 characters.
fn signin<'a>(digest: &'a TokenDigest, operator_id: &'a str) -> NewSignIn<'a> {
    NewSignIn {
        digest,
        id: &digest.as_str()[..32],
        operator_id,
        browser: Some("Firefox on Linux"),
        address: Some("192.0.2.1"),
    }
}

contract!(operators_are_unique_by_email, |_url, store| {
    let row = operator_row("ann@example.com");
    assert!(store.db().insert_operator(&row).await.unwrap());
    assert!(!store
        .db()
        .insert_operator(&operator_row("ann@example.com"))
        .await
        .unwrap());
    assert_eq!(store.db().operator_count().await.unwrap(), 1);
    let found = store
        .db()
        .operator_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, row.id);
    assert_eq!(found.to_operator().unwrap().name, "Ann");
    assert!(store
        .db()
        .operator_by_email("bob@example.com")
        .await
        .unwrap()
        .is_none());
});

contract!(
    operator_sessions_expire_go_idle_and_sign_out,
    |_url, store| {
        let op = operator(&store).await;
        let token = Token::generate().digest();
        store
            .db()
            .insert_operator_session(&signin(&token, &op.id), 1_000, 10_000)
            .await
            .unwrap();
        let found = store
            .db()
            .operator_by_session(&token, 2_000, 0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.operator.id.as_str(), found.session_seen_at),
            (op.id.as_str(), 1_000)
        );
        assert!(store
            .db()
            .operator_by_session(&token, 2_000, 1_000)
            .await
            .unwrap()
            .is_none());
        store
            .db()
            .touch_operator_session(&token, 3_000)
            .await
            .unwrap();
        assert!(store
            .db()
            .operator_by_session(&token, 4_000, 2_000)
            .await
            .unwrap()
            .is_some());
        assert!(store
            .db()
            .operator_by_session(&token, 10_000, 0)
            .await
            .unwrap()
            .is_none());
        let other = Token::generate().digest();
        store
            .db()
            .insert_operator_session(&signin(&other, &op.id), 1_000, 20_000)
            .await
            .unwrap();
        assert_eq!(
            store
                .db()
                .delete_expired_operator_sessions(10_000)
                .await
                .unwrap(),
            1
        );
        store.db().delete_operator_session(&other).await.unwrap();
        assert!(store
            .db()
            .operator_by_session(&other, 2_000, 0)
            .await
            .unwrap()
            .is_none());
    }
);

contract!(devices_remember_their_operator, |_url, store| {
    let op = operator(&store).await;
    let device = Token::generate().digest();
    store
        .db()
        .insert_operator_device(&device, &op.id, 1_000)
        .await
        .unwrap();
    store
        .db()
        .touch_operator_device(&device, 2_000)
        .await
        .unwrap();
    assert_eq!(
        store.db().operator_device_email(&device).await.unwrap(),
        Some(op.email.clone())
    );
    let unknown = Token::generate().digest();
    assert_eq!(
        store.db().operator_device_email(&unknown).await.unwrap(),
        None
    );
});

contract!(
    login_attempts_are_counted_per_key_and_forgotten,
    |_url, store| {
        let keys = vec!["ip:1.1.1.1".to_owned(), "email:a@x".to_owned()];
        store
            .db()
            .insert_login_attempt("a1", &keys, 1_000)
            .await
            .unwrap();
        store
            .db()
            .insert_login_attempt("a2", &keys, 2_000)
            .await
            .unwrap();
        let mut counts = store.db().login_attempts_since(&keys, 0).await.unwrap();
        counts.sort();
        assert_eq!(
            counts,
            vec![
                ("email:a@x".to_owned(), 2, 1_000),
                ("ip:1.1.1.1".to_owned(), 2, 1_000)
            ]
        );
        assert_eq!(
            store
                .db()
                .login_attempts_since(&keys, 1_000)
                .await
                .unwrap()
                .len(),
            2
        );
        store.db().delete_login_attempt("a2").await.unwrap();
        store
            .db()
            .delete_login_attempts_of("email:a@x")
            .await
            .unwrap();
        assert_eq!(
            store.db().login_attempts_since(&keys, 0).await.unwrap(),
            vec![("ip:1.1.1.1".to_owned(), 1, 1_000)]
        );
        assert_eq!(
            store
                .db()
                .delete_login_attempts_before(1_000)
                .await
                .unwrap(),
            1
        );
        assert!(store
            .db()
            .login_attempts_since(&keys, 0)
            .await
            .unwrap()
            .is_empty());
        let mut tx = store.begin().await.unwrap();
        tx.db().lock_keys(&keys).await.unwrap();
        tx.commit().await.unwrap();
    }
);

contract!(
    the_sign_in_limit_is_exact_across_nodes_and_restarts,
    |url, store| {
        // Two handles on one database: two nodes. Twenty attempts race on one email.
        let other = Store::connect(&url).await.unwrap();
        let limiter = std::sync::Arc::new(LoginLimiter::new(Duration::from_secs(900), 5, 1000));
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let node = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter
                    .reserve(
                        &node,
                        &format!("10.0.0.{i}"),
                        &AttemptScope::Email("a@x"),
                        now,
                    )
                    .await
                    .unwrap()
                    .is_ok()
            }));
        }
        let mut allowed = 0;
        for task in tasks {
            allowed += usize::from(task.await.unwrap());
        }
        assert_eq!(allowed, 5);
        // A new limiter (a restart) over the same store still refuses, until the window passes.
        let restarted = LoginLimiter::new(Duration::from_secs(900), 5, 1000);
        let wait = restarted
            .reserve(&store, "10.9.9.9", &AttemptScope::Email("a@x"), now)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, 900);
        let later = now + chrono::Duration::seconds(900);
        let reservation = restarted
            .reserve(&store, "10.9.9.9", &AttemptScope::Email("a@x"), later)
            .await
            .unwrap()
            .unwrap();
        restarted
            .succeeded(&store, reservation, "a@x")
            .await
            .unwrap();
        other.close().await;
    }
);

contract!(
    there_is_one_owner_and_the_audit_log_refuses_changes,
    |_url, store| {
        let mut owner = operator_row("owner@example.com");
        owner.role = "owner".to_owned();
        assert!(store.db().insert_operator(&owner).await.unwrap());
        let mut second = operator_row("second@example.com");
        second.role = "owner".to_owned();
        // A second owner is not written, whatever the email.
        assert!(!store.db().insert_operator(&second).await.unwrap());
        assert!(store
            .db()
            .set_operator_role(&operator(&store).await.id, "owner")
            .await
            .is_err());
        let entry = AuditRow {
            id: Uuid::now_v7().to_string(),
            at: 1_000,
            action: "signin".to_owned(),
            actor_id: Some(owner.id.clone()),
            actor_name: Some("Ann".to_owned()),
            target_kind: None,
            target_id: None,
            target_label: None,
            address: Some("192.0.2.1".to_owned()),
            detail: "{}".to_owned(),
        };
        store.db().insert_audit(&entry).await.unwrap();
        let sql = "UPDATE audit_log SET action = 'signout'";
        let delete = "DELETE FROM audit_log";
        match (store.sqlite(), store.postgres()) {
            (Some(pool), _) => {
                assert!(sqlx::query(sql).execute(pool).await.is_err());
                assert!(sqlx::query(delete).execute(pool).await.is_err());
            }
            (_, Some(pool)) => {
                assert!(sqlx::query(sql).execute(pool).await.is_err());
                assert!(sqlx::query(delete).execute(pool).await.is_err());
            }
            _ => unreachable!(),
        }
        let filter = switchboard::store::audit::AuditFilter {
            limit: 10,
            ..Default::default()
        };
        let entries = store.db().audit_entries(&filter).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, "signin");
    }
);
