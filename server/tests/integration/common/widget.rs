//! Widget customers for the tests: sign in through `POST /api/v1/widget/session`, then use the
//! bearer token.

use serde_json::{json, Value};

use super::TestServer;

/// A signed-in widget.
pub struct Widget {
    /// The bearer token.
    pub token: String,
    /// The customer's conversation.
    pub conversation_id: String,
    /// The customer's id.
    pub customer_id: String,
    /// The whole session answer.
    pub session: Value,
}

impl TestServer {
    /// `POST /api/v1/widget/session` with `body`.
    pub async fn widget_session_raw(&self, body: Value) -> reqwest::Response {
        self.client()
            .post(self.url("/api/v1/widget/session"))
            .json(&body)
            .send()
            .await
            .expect("widget session request")
    }

    /// Starts a widget session with `body`; it must succeed.
    pub async fn widget_with(&self, body: Value) -> Widget {
        let response = self.widget_session_raw(body).await;
        assert_eq!(response.status(), 200, "widget session should start");
        let session: Value = response.json().await.expect("json");
        Widget {
            token: session["widget_token"].as_str().unwrap().to_owned(),
            conversation_id: session["conversation_id"].as_str().unwrap().to_owned(),
            customer_id: session["customer"]["id"].as_str().unwrap().to_owned(),
            session,
        }
    }

    /// A new anonymous visitor.
    pub async fn anonymous_widget(&self) -> Widget {
        self.widget_with(json!({})).await
    }

    /// The v1 signature a host site would compute for `user_id` alone.
    pub async fn signature_of(&self, user_id: &str) -> String {
        self.engine.widget_secret().await.unwrap().sign(user_id)
    }

    /// The v1.1 sign-in body a host site's back end would hand its page for these values,
    /// signed at `issued_at` (Unix seconds).
    pub async fn signed_body_at(
        &self,
        user_id: &str,
        email: &str,
        name: &str,
        issued_at: i64,
    ) -> Value {
        let identity = switchboard::auth::SignedIdentity {
            user_id: user_id.to_owned(),
            email: email.to_owned(),
            name: name.to_owned(),
            issued_at,
        };
        let signature = self
            .engine
            .widget_secret()
            .await
            .unwrap()
            .sign_identity(&identity);
        json!({"user_id": user_id, "email": email, "name": name,
               "issued_at": issued_at, "signature": signature})
    }

    /// The v1.1 sign-in body signed now, by the server's clock.
    pub async fn signed_body(&self, user_id: &str, email: &str, name: &str) -> Value {
        use switchboard::clock::Clock as _;
        let now = self.clock.now().timestamp();
        self.signed_body_at(user_id, email, name, now).await
    }

    /// A customer signed in the v1.1 form: their email and name are verified.
    pub async fn signed_widget(&self, user_id: &str, email: &str, name: &str) -> Widget {
        let body = self.signed_body(user_id, email, name).await;
        self.widget_with(body).await
    }

    /// A request with the widget's bearer token.
    pub fn widget_request(
        &self,
        widget: &Widget,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client()
            .request(method, self.url(path))
            .bearer_auth(&widget.token)
    }

    /// The customer posts `content` through the widget route; returns the response.
    pub async fn widget_post(&self, widget: &Widget, content: &str) -> reqwest::Response {
        self.widget_request(widget, reqwest::Method::POST, "/api/v1/widget/messages")
            .json(&json!({ "content": content }))
            .send()
            .await
            .expect("widget post")
    }

    /// `GET /api/v1/widget/messages` as JSON.
    pub async fn widget_messages(&self, widget: &Widget, after_seq: i64) -> Value {
        let path = format!("/api/v1/widget/messages?after_seq={after_seq}");
        let response = self
            .widget_request(widget, reqwest::Method::GET, &path)
            .send()
            .await
            .expect("widget messages");
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// The operator posts `content` into `conversation_id`.
    pub async fn operator_post(
        &self,
        client: &reqwest::Client,
        conversation_id: &str,
        content: &str,
    ) -> Value {
        let response = client
            .post(self.url(&format!("/api/v1/conversations/{conversation_id}/messages")))
            .json(&json!({ "content": content }))
            .send()
            .await
            .expect("operator post");
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }
}
