//! The site a release binary carries inside it (`build.rs` puts it there), served from memory:
//! the binary runs from any folder with nothing beside it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/site.rs"));
}

/// One file of the carried site, with the compressed forms the build wrote beside it.
struct File {
    plain: &'static [u8],
    brotli: Option<&'static [u8]>,
    gzip: Option<&'static [u8]>,
    content_type: HeaderValue,
}

/// The carried site: its files by their path under the site's folder (`pkg/…`,
/// `favicon.svg`), and the hash files of its bundles.
pub struct EmbeddedSite {
    files: HashMap<&'static str, File>,
    bundles: HashMap<&'static str, &'static str>,
}

impl EmbeddedSite {
    /// The site inside this binary, or none when it was built without one (a development
    /// build, which serves the site on disk).
    pub fn carried() -> Option<Arc<Self>> {
        static SITE: OnceLock<Option<Arc<EmbeddedSite>>> = OnceLock::new();
        SITE.get_or_init(|| Self::from_parts(generated::FILES, generated::BUNDLES).map(Arc::new))
            .clone()
    }

    fn from_parts(
        files: &'static [(&'static str, &'static [u8])],
        bundles: &'static [(&'static str, &'static str)],
    ) -> Option<Self> {
        if files.is_empty() {
            return None;
        }
        let find = |name: String| files.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
        let files = files
            .iter()
            .filter(|(name, _)| !name.ends_with(".br") && !name.ends_with(".gz"))
            .map(|&(name, plain)| {
                let content_type = mime_guess::from_path(name).first_or_octet_stream();
                let file = File {
                    plain,
                    brotli: find(format!("{name}.br")),
                    gzip: find(format!("{name}.gz")),
                    content_type: HeaderValue::from_str(content_type.as_ref())
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                };
                (name, file)
            })
            .collect();
        Some(Self {
            files,
            bundles: bundles.iter().copied().collect(),
        })
    }

    /// The hash file of the bundle `output_name` (`js: …`, `wasm: …`), when the site has it.
    pub fn hash_file(&self, output_name: &str) -> Option<&'static str> {
        self.bundles.get(output_name).copied()
    }

    /// Whether the site has a file at `path` (under the site's folder).
    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The text of the file at `path`, when there is one and it is UTF-8.
    pub fn text(&self, path: &str) -> Option<&'static str> {
        self.files
            .get(path)
            .and_then(|f| std::str::from_utf8(f.plain).ok())
    }

    /// The paths of the files outside `pkg/` (the favicon), which get routes of their own.
    pub fn top_level_paths(&self) -> Vec<&'static str> {
        let mut paths: Vec<_> = self
            .files
            .keys()
            .copied()
            .filter(|p| !p.contains('/'))
            .collect();
        paths.sort_unstable();
        paths
    }

    /// The file at `path` (under the site's folder) for a request with `headers`: brotli or
    /// gzip when the client takes it and the build wrote it, else as it is; 404 when there is
    /// no such file. `Cache-Control` is the security layer's (a year for content-hashed names).
    pub fn respond(&self, path: &str, headers: &HeaderMap) -> Response {
        let Some(file) = self.files.get(path) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let accepted = Accepted::from(headers);
        let (body, encoding) = match (file.brotli, file.gzip) {
            (Some(body), _) if accepted.brotli => (body, Some("br")),
            (_, Some(body)) if accepted.gzip => (body, Some("gzip")),
            _ => (file.plain, None),
        };
        let mut response = Response::new(Body::from(body));
        let out = response.headers_mut();
        out.insert(header::CONTENT_TYPE, file.content_type.clone());
        out.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        if let Some(encoding) = encoding {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if file.brotli.is_some() || file.gzip.is_some() {
            out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// Which of the compressed forms a request's `Accept-Encoding` takes (`q=0` refuses one;
/// `*` takes any not named).
#[derive(Debug, PartialEq, Eq)]
struct Accepted {
    brotli: bool,
    gzip: bool,
}

impl From<&HeaderMap> for Accepted {
    fn from(headers: &HeaderMap) -> Self {
        let mut named: HashMap<String, bool> = HashMap::new();
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                if coding.is_empty() {
                    continue;
                }
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                named.insert(coding, !refused);
            }
        }
        let any = named.get("*").copied().unwrap_or(false);
        Self {
            brotli: named.get("br").copied().unwrap_or(any),
            gzip: named
                .get("gzip")
                .or_else(|| named.get("x-gzip"))
                .copied()
                .unwrap_or(any),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &'static str) -> Accepted {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        Accepted::from(&headers)
    }

    #[test]
    fn accept_encoding_names_what_a_client_takes_and_q_zero_refuses() {
        assert_eq!(
            accepting("gzip, deflate, br, zstd"),
            Accepted {
                brotli: true,
                gzip: true
            }
        );
        assert_eq!(
            accepting("gzip"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(
            accepting("br;q=0, gzip;q=0.5"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(
            accepting("*"),
            Accepted {
                brotli: true,
                gzip: true
            }
        );
        assert_eq!(
            accepting("*, br;q=0"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(
            accepting("identity"),
            Accepted {
                brotli: false,
                gzip: false
            }
        );
        assert_eq!(
            Accepted::from(&HeaderMap::new()),
            Accepted {
                brotli: false,
                gzip: false
            }
        );
    }

    static FILES: &[(&str, &[u8])] = &[
        ("favicon.svg", b"<svg/>"),
        ("pkg/app.abcdefgh12.wasm", b"plain wasm"),
        ("pkg/app.abcdefgh12.wasm.br", b"brotli"),
        ("pkg/app.abcdefgh12.wasm.gz", b"gzip!"),
    ];

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn a_carried_file_comes_in_the_best_form_the_client_takes_with_its_type() {
        let site = EmbeddedSite::from_parts(FILES, &[]).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br"),
        );
        let response = site.respond("pkg/app.abcdefgh12.wasm", &headers);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "6");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        assert_eq!(body(response).await, b"brotli");

        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let response = site.respond("pkg/app.abcdefgh12.wasm", &headers);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(body(response).await, b"gzip!");

        let response = site.respond("pkg/app.abcdefgh12.wasm", &HeaderMap::new());
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(body(response).await, b"plain wasm");

        let response = site.respond("favicon.svg", &HeaderMap::new());
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert!(response.headers().get(header::VARY).is_none());
    }

    #[test]
    fn a_path_the_site_lacks_is_not_found_and_compressed_forms_are_not_files_of_their_own() {
        let site = EmbeddedSite::from_parts(FILES, &[]).unwrap();
        let none = HeaderMap::new();
        assert_eq!(
            site.respond("pkg/missing.wasm", &none).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            site.respond("pkg/app.abcdefgh12.wasm.br", &none).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(site.top_level_paths(), vec!["favicon.svg"]);
        assert!(EmbeddedSite::from_parts(&[], &[]).is_none());
    }
}
