//! Files for the tests: uploads through each door, downloads, and test images made on the
//! spot (a photo with EXIF and GPS, a decompression bomb written row by row).

use std::io::Cursor;

use serde_json::Value;

use super::widget::Widget;
use super::TestServer;

/// Where an upload goes and with which credential.
pub enum Door<'a> {
    /// An operator's client (cookie) into a conversation.
    Operator(&'a reqwest::Client, &'a str),
    /// A guest link's token.
    Guest(&'a str),
    /// A widget customer.
    Customer(&'a Widget),
}

impl Door<'_> {
    /// The request for an upload through this door.
    fn upload(&self, server: &TestServer) -> reqwest::RequestBuilder {
        match self {
            Door::Operator(client, conversation) => {
                client.post(server.url(&format!("/api/v1/conversations/{conversation}/files")))
            }
            Door::Guest(token) => server
                .client()
                .post(server.url(&format!("/support/guest/{token}/files"))),
            Door::Customer(widget) => server
                .client()
                .post(server.url("/api/v1/widget/files"))
                .bearer_auth(&widget.token),
        }
    }

    /// The request for a download (of the thumbnail, with `thumbnail`) through this door.
    pub fn download(
        &self,
        server: &TestServer,
        file: &str,
        thumbnail: bool,
    ) -> reqwest::RequestBuilder {
        let tail = if thumbnail { "/thumbnail" } else { "" };
        match self {
            Door::Operator(client, _) => {
                client.get(server.url(&format!("/api/v1/files/{file}{tail}")))
            }
            Door::Guest(token) => server
                .client()
                .get(server.url(&format!("/support/guest/{token}/files/{file}{tail}"))),
            Door::Customer(widget) => server
                .client()
                .get(server.url(&format!("/api/v1/widget/files/{file}{tail}")))
                .bearer_auth(&widget.token),
        }
    }
}

/// Uploads `bytes` named `name` through `door`: the status, the body, and `Retry-After`.
pub async fn upload(
    server: &TestServer,
    door: &Door<'_>,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value, Option<String>) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let response = door
        .upload(server)
        .multipart(form)
        .send()
        .await
        .expect("upload request");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap_or(Value::Null), retry)
}

/// Uploads and expects 201: the file object.
pub async fn uploaded(server: &TestServer, door: &Door<'_>, name: &str, bytes: Vec<u8>) -> Value {
    let (status, body, _) = upload(server, door, name, bytes).await;
    assert_eq!(status, 201, "upload of {name}: {body}");
    body["file"].clone()
}

/// Downloads through `door`: the status, the headers and the bytes.
pub async fn download(
    server: &TestServer,
    door: &Door<'_>,
    file: &str,
    thumbnail: bool,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = door
        .download(server, file, thumbnail)
        .send()
        .await
        .expect("download request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// A PNG of `width` × `height` in a few colours.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A GIF of `width` × `height`.
pub fn gif(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 10, 10, 255]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Gif).unwrap();
    out.into_inner()
}

/// What the EXIF block of [`jpeg_with_gps`] says, so a test can look for it.
pub const EXIF_SECRET: &str = "Taken at home, 48.8584 N";

/// A JPEG of `width` × `height` whose EXIF block has a GPS position, a description that says
/// where it was taken, and orientation 6 (turn 90° clockwise to show it upright).
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([30, 120, 200]));
    let mut plain = Cursor::new(Vec::new());
    image
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = plain.into_inner();
    // TIFF, little-endian: IFD0 with a description, the orientation and the GPS IFD's place;
    // the GPS IFD with latitude N 48° 51' 29".
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let description = format!("{EXIF_SECRET}\0");
    let ifd0_len = 2 + 3 * 12 + 4;
    let description_at = 8 + ifd0_len;
    let gps_at = description_at + description.len() as u32;
    let gps_len = 2 + 2 * 12 + 4;
    let rationals_at = gps_at + gps_len;
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(entry(0x010e, 2, description.len() as u32, description_at));
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(description.as_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, rationals_at));
    tiff.extend(0u32.to_le_bytes());
    for (numerator, denominator) in [(48u32, 1u32), (51, 1), (29, 1)] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend([0xff, 0xe1]);
    jpeg.extend(((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend(app1);
    jpeg.extend(&plain[2..]);
    jpeg
}

/// A greyscale PNG of `width` × `height` in one colour, written row by row so that making it
/// never holds its pixels: a few KB that would take `width × height` bytes decoded.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0u8; width as usize];
    for _ in 0..height {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
    drop(writer);
    out
}

/// The width and height of an image's bytes.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).expect("an image");
    (image.width(), image.height())
}

/// Posts a message carrying `files` through `door` (with `client_id`, when given): the status
/// and the body.
pub async fn send_files(
    server: &TestServer,
    door: &Door<'_>,
    content: &str,
    files: &[&str],
    client_id: Option<&str>,
) -> (u16, Value) {
    let body =
        serde_json::json!({ "content": content, "attachments": files, "client_id": client_id });
    let request = match door {
        Door::Operator(client, conversation) => {
            client.post(server.url(&format!("/api/v1/conversations/{conversation}/messages")))
        }
        Door::Guest(token) => server
            .client()
            .post(server.url(&format!("/support/guest/{token}/messages"))),
        Door::Customer(widget) => server
            .client()
            .post(server.url("/api/v1/widget/messages"))
            .bearer_auth(&widget.token),
    };
    let response = request.json(&body).send().await.expect("post");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
