//! Colleagues for a test: invited by the owner (the test server's operator) through the API,
//! joined through the invitation link, each with their own cookie.

use serde_json::{json, Value};

use super::TestServer;

/// A colleague who joined through an invitation.
pub struct Member {
    /// A client holding their sign-in cookie.
    pub client: reqwest::Client,
    /// Their `Cookie` header value, for sockets.
    pub cookie: String,
    /// Their operator object.
    pub operator: Value,
    /// Their password.
    pub password: String,
}

impl Member {
    /// Their id.
    pub fn id(&self) -> &str {
        self.operator["id"].as_str().expect("an operator id")
    }
}

impl TestServer {
    /// Invites `email` as `role` on behalf of `by`; the invitation link's token.
    pub async fn invite(&self, by: &reqwest::Client, email: &str, role: &str) -> String {
        let response = by
            .post(self.url("/api/v1/invitations"))
            .json(&json!({"email": email, "role": role}))
            .send()
            .await
            .expect("invite request");
        assert_eq!(response.status(), 201, "the invitation is made");
        let created: Value = response.json().await.expect("JSON");
        let url = created["accept_url"].as_str().expect("accept_url");
        url.rsplit('/').next().expect("a token").to_owned()
    }

    /// Accepts an invitation with `name` and `password`; the raw answer.
    pub async fn accept(&self, token: &str, name: &str, password: &str) -> reqwest::Response {
        self.client()
            .post(self.url("/api/v1/invitations/accept"))
            .json(&json!({"token": token, "name": name, "password": password}))
            .send()
            .await
            .expect("accept request")
    }

    /// A colleague invited by `by` as `role` who joined.
    pub async fn member(&self, by: &reqwest::Client, email: &str, role: &str) -> Member {
        let token = self.invite(by, email, role).await;
        let password = format!("{email} has a long password");
        let response = self.accept(&token, "Colleague", &password).await;
        assert_eq!(response.status(), 200, "the invitation is accepted");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let body: Value = response.json().await.expect("JSON");
        Member {
            client: self.client_with_cookie(&cookie),
            cookie,
            operator: body["operator"].clone(),
            password,
        }
    }

    /// A client that sends `cookie` with every request.
    pub fn client_with_cookie(&self, cookie: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("client")
    }

    /// Signs in as `email` with `password`; the raw answer.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client()
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// `method path` with `client` and a JSON `body`; the raw answer.
    pub async fn send_json(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }
}
