//! Pages as a browser meets them: every page answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common::TestServer;

#[tokio::test]
async fn pages_keep_answering_while_another_server_in_the_process_builds_its_router() {
    // Each test in this binary builds a router, as a second `Application` in one process would.
    // Building one used to work the page routes out again, which switches Leptos' resource
    // loading off process-wide for a moment: a render whose data load began then waited
    // forever. With a short render limit, such a render would come back 503 here.
    let app = TestServer::start_with(&[("SWITCHBOARD_RENDER_TIMEOUT", "3s")]).await;
    let building = Arc::new(AtomicBool::new(true));
    let builder = {
        let building = building.clone();
        std::thread::spawn(move || {
            // As in a test of its own: a thread with its own runtime.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _inside = runtime.enter();
            let mut built = 0u32;
            while building.load(Ordering::Relaxed) {
                assert!(!server::startup::page_routes().is_empty());
                built += 1;
            }
            built
        })
    };
    let guest = app.client();
    for _ in 0..40 {
        let page = app
            .get(&guest, "/support/guest/not-a-real-token-at-all")
            .await;
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("Link not found"));
        let redirect = guest
            .get(app.url("/sessions"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(redirect.status().is_redirection(), "{}", redirect.status());
    }
    building.store(false, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}
