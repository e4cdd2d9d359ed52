//! Which requests are uploads, and what the guard allows them: a body the size of a file, and
//! the time a file takes over a slow line.

use std::time::Duration;

use axum::http::Method;

use crate::settings::Settings;

/// Whether a request is an upload: what the guard lets carry a file-sized body.
fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST
        && path.ends_with("/files")
        && (path.starts_with("/api/v1/conversations/")
            || path.starts_with("/support/guest/")
            || path == "/api/v1/widget/files")
}

/// What an upload's form may add around its file: boundaries, part headers, small fields.
const UPLOAD_OVERHEAD: u64 = 64 * 1024;
/// The least time an upload is given: a file of the largest size over a slow line.
const UPLOAD_TIMEOUT_MIN: Duration = Duration::from_secs(300);

/// For an upload, the largest body and the longest time it is allowed; `None` for any other
/// request, which the guard's own limits cover.
pub fn allowance(settings: &Settings, method: &Method, path: &str) -> Option<(u64, Duration)> {
    is_upload(method, path).then(|| {
        (
            settings.files.max_bytes + UPLOAD_OVERHEAD,
            settings.request_timeout.max(UPLOAD_TIMEOUT_MIN),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_upload_doors_take_file_sized_bodies() {
        let post = Method::POST;
        assert!(is_upload(&post, "/api/v1/conversations/abc/files"));
        assert!(is_upload(&post, "/support/guest/tok/files"));
        assert!(is_upload(&post, "/api/v1/widget/files"));
        assert!(!is_upload(&post, "/api/v1/widget/messages"));
        assert!(!is_upload(&Method::GET, "/api/v1/widget/files"));
        assert!(!is_upload(&post, "/api/v1/files"));
    }
}
