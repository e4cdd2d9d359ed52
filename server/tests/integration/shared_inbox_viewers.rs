//! Who is viewing a conversation, and who of them is typing (PROTOCOL v1.1), on both backends:
//! operators hear of each other; customers never do.

use serde_json::json;

use crate::common::desk::{conversation, team, viewers_until, viewing};
use crate::common::on_both;
use crate::common::ws::open;

on_both!(
    operators_see_who_else_views_and_types_and_customers_never_do,
    |server| {
        let (owner, _admin, ben, _cleo) = team(&server).await;
        let widget = conversation(&server, "Anyone?").await;
        let id = widget.conversation_id.as_str();
        let ann_cookie = server.operator_cookie().await;
        let ann_id = server.get_json(&owner, "/api/v1/me").await["operator"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut ann = viewing(&server.ws_url(""), &ann_cookie, id).await;
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;
        let mut bens = viewing(&server.ws_url(""), &ben.cookie, id).await;
        let both = [(ann_id.clone(), false), (ben.id().to_owned(), false)];
        viewers_until(&mut ann, |v| v == both).await;
        viewers_until(&mut bens, |v| v == both).await;

        bens.send(json!({"type": "typing", "conversation_id": id}))
            .await;
        let typing = [(ann_id.clone(), false), (ben.id().to_owned(), true)];
        viewers_until(&mut ann, |v| v == typing).await;
        // Typing counts for a few seconds on the server's clock, then it is over.
        server.clock.advance(std::time::Duration::from_secs(7));
        viewers_until(&mut ann, |v| v == both).await;
        bens.send(json!({"type": "unview", "conversation_id": id}))
            .await;
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;
        bens.send(json!({"type": "view", "conversation_id": id}))
            .await;
        viewers_until(&mut ann, |v| v == both).await;
        drop(bens);
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;

        // The customer may not say what they view, and hears of no viewer.
        let widget_ws = server.ws_url(&format!("?widget_token={}", widget.token));
        let mut customer = open(&widget_ws, &[]).await;
        assert_eq!(customer.frame().await["type"], "welcome");
        customer
            .send(json!({"type": "subscribe", "conversation_id": id, "after_seq": 1}))
            .await;
        customer.until("subscribed").await;
        customer
            .send(json!({"type": "view", "conversation_id": id}))
            .await;
        let refused = customer.until("error").await;
        assert_eq!(refused["code"], "forbidden");
        let _again = viewing(&server.ws_url(""), &ben.cookie, id).await;
        viewers_until(&mut ann, |v| v == both).await;
        server.operator_post(&owner, id, "Still here").await;
        loop {
            let frame = customer.frame().await;
            assert_ne!(
                frame["type"], "viewers",
                "a customer never learns who watches"
            );
            if frame["type"] == "message" {
                break;
            }
        }
    }
);
