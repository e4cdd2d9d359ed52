//! Files in chats: uploads through every door, attaching them to messages, the headers they
//! are served with, what the content decides, and what re-encoding does to images.

use serde_json::Value;

use crate::common::files::{
    dimensions, download, gif, jpeg_with_gps, png, png_bomb, send_files, upload, uploaded, Door,
    EXIF_SECRET,
};
use crate::common::on_both;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

on_both!(
    a_customers_pdf_reaches_the_operator_in_a_message_and_downloads_as_an_attachment,
    |server| {
        let owner = server.signed_in().await;
        let customer = server.anonymous_widget().await;
        let door = Door::Customer(&customer);
        let file = uploaded(&server, &door, "../../Invoice 7.pdf", PDF.to_vec()).await;
        assert_eq!(file["name"], "Invoice 7.pdf", "the path is cut off");
        assert_eq!(file["type"], "application/pdf");
        assert_eq!(file["size"], PDF.len());
        assert_eq!(file["thumbnail"], false);
        assert!(file.get("width").is_none());
        let id = file["id"].as_str().unwrap();
        let (status, body) = send_files(&server, &door, "", &[id], None).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["message"]["content"], "");
        assert_eq!(body["message"]["attachments"][0], file);

        let listed = server
            .get_json(
                &owner,
                &format!(
                    "/api/v1/conversations/{}/messages",
                    customer.conversation_id
                ),
            )
            .await;
        assert_eq!(listed["messages"][0]["attachments"][0]["id"], id);
        let inbox = server.get_json(&owner, "/api/v1/conversations").await;
        let item = inbox["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == customer.conversation_id.as_str())
            .expect("the conversation is listed");
        assert_eq!(item["last_message_preview"], "📎 Invoice 7.pdf");
        let conversation = customer.conversation_id.as_str();
        let operator = Door::Operator(&owner, conversation);
        let (status, headers, bytes) = download(&server, &operator, id, false).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, PDF);
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"Invoice 7.pdf\"; filename*=UTF-8''Invoice%207%2Epdf"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["content-security-policy"],
            "sandbox; default-src 'none'"
        );
        assert_eq!(headers["cache-control"], "private");
        let (status, _, bytes) = download(&server, &door, id, false).await;
        assert_eq!((status, bytes.as_slice()), (200, PDF));
        // A browser asks for it compressed: the body is gzipped on the way and ends cleanly.
        let gzipped = owner
            .get(server.url(&format!("/api/v1/files/{id}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.status(), 200);
        assert_eq!(gzipped.headers()["content-encoding"], "gzip");
        let body = gzipped.bytes().await.expect("the whole compressed body");
        assert!(body.starts_with(&[0x1f, 0x8b]), "a gzip stream");
        let (status, _, _) = download(&server, &door, id, true).await;
        assert_eq!(status, 404, "a PDF has no thumbnail");

        // The message without text still needs a file, and a file goes in one message only.
        let (status, _) = send_files(&server, &door, " ", &[], None).await;
        assert_eq!(status, 422);
        let (status, body) = send_files(&server, &door, "again", &[id], None).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "invalid");
    }
);

on_both!(
    only_the_uploader_attaches_a_file_and_only_where_it_was_uploaded,
    |server| {
        let owner = server.signed_in().await;
        let ann = server.anonymous_widget().await;
        let bob = server.anonymous_widget().await;
        let anns = uploaded(
            &server,
            &Door::Customer(&ann),
            "a.txt",
            b"from ann\n".to_vec(),
        )
        .await;
        let id = anns["id"].as_str().unwrap();
        for (door, who) in [
            (Door::Customer(&bob), "another customer"),
            (Door::Operator(&owner, &ann.conversation_id), "an operator"),
        ] {
            let (status, body) = send_files(&server, &door, "mine now", &[id], None).await;
            assert_eq!(status, 422, "{who}: {body}");
        }
        let unknown = uuid::Uuid::now_v7().to_string();
        let (status, _) = send_files(&server, &Door::Customer(&ann), "x", &[&unknown], None).await;
        assert_eq!(status, 422);
        let (status, _) = send_files(&server, &Door::Customer(&ann), "x", &[id, id], None).await;
        assert_eq!(status, 422, "the same file twice");
        // Two messages racing for one file: one carries it, the other stores nothing.
        let contested =
            uploaded(&server, &Door::Customer(&ann), "b.txt", b"twice\n".to_vec()).await;
        let contested = contested["id"].as_str().unwrap();
        let ann_door = Door::Customer(&ann);
        let both = [contested];
        let (one, two) = tokio::join!(
            send_files(&server, &ann_door, "first", &both, None),
            send_files(&server, &ann_door, "second", &both, None),
        );
        let mut statuses = [one.0, two.0];
        statuses.sort();
        assert_eq!(statuses, [201, 422]);
        let history = server.widget_messages(&ann, 0).await;
        let carrying = history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["attachments"][0]["id"] == contested)
            .count();
        assert_eq!(carrying, 1);
        // Sent again with its key, the message comes back as it was stored.
        let first = send_files(&server, &Door::Customer(&ann), "here", &[id], Some("k-1")).await;
        let again = send_files(&server, &Door::Customer(&ann), "here", &[id], Some("k-1")).await;
        assert_eq!((first.0, again.0), (201, 200));
        assert_eq!(first.1["message"], again.1["message"]);
    }
);

on_both!(
    the_content_decides_the_type_whatever_the_name_says,
    |server| {
        let owner = server.signed_in().await;
        let customer = server.anonymous_widget().await;
        let door = Door::Customer(&customer);
        let operator = Door::Operator(&owner, &customer.conversation_id);
        let as_pdf = uploaded(&server, &door, "report.pdf", png(40, 30)).await;
        assert_eq!(as_pdf["type"], "image/png");
        assert_eq!(as_pdf["name"], "report.png", "the name follows the content");
        for (name, bytes) in [
            (
                "cat.png",
                b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
            ),
            (
                "logo.png",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            ),
            ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec()),
            ("notes.txt", b"almost text\x00\x01\x02".to_vec()),
        ] {
            let (status, body, _) = upload(&server, &door, name, bytes).await;
            assert_eq!(status, 415, "{name}: {body}");
            assert_eq!(body["error"]["code"], "unsupported_media_type");
        }
        // A polyglot: a real PNG with a page appended. Re-encoding keeps the picture only.
        let mut polyglot = png(20, 20);
        polyglot.extend(b"<html><script>alert(document.cookie)</script></html>");
        let file = uploaded(&server, &door, "innocent.png", polyglot).await;
        let id = file["id"].as_str().unwrap();
        let (status, headers, bytes) = download(&server, &operator, id, false).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/png");
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;"));
        assert!(!String::from_utf8_lossy(&bytes).contains("<script>"));
        assert_eq!(dimensions(&bytes), (20, 20));
        // A PDF with a page inside stays a PDF, and a PDF is only ever a download in a sandbox.
        let mut pdf_page = PDF.to_vec();
        pdf_page.extend(b"<html><script>alert(1)</script></html>");
        let file = uploaded(&server, &door, "page.html", pdf_page).await;
        assert_eq!(
            (file["type"].as_str(), file["name"].as_str()),
            (Some("application/pdf"), Some("page.pdf"))
        );
        let (_, headers, _) =
            download(&server, &operator, file["id"].as_str().unwrap(), false).await;
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(
            headers["content-security-policy"],
            "sandbox; default-src 'none'"
        );
        // Text stays text, served as such, and a GIF comes back as a PNG of its first frame.
        let text = uploaded(&server, &door, "log.csv", "a,b\n1,€\n".as_bytes().to_vec()).await;
        assert_eq!(
            (text["type"].as_str(), text["name"].as_str()),
            (Some("text/plain"), Some("log.csv"))
        );
        let (_, headers, _) =
            download(&server, &operator, text["id"].as_str().unwrap(), false).await;
        assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
        let moving = uploaded(&server, &door, "wave.gif", gif(16, 8)).await;
        assert_eq!(
            (moving["type"].as_str(), moving["name"].as_str()),
            (Some("image/png"), Some("wave.png"))
        );
    }
);

on_both!(
    a_photo_loses_its_exif_and_gps_and_stands_upright,
    |server| {
        let owner = server.signed_in().await;
        let customer = server.anonymous_widget().await;
        let door = Door::Customer(&customer);
        let photo = jpeg_with_gps(400, 200);
        assert!(String::from_utf8_lossy(&photo).contains(EXIF_SECRET));
        let file = uploaded(&server, &door, "IMG_0001.JPG", photo).await;
        assert_eq!(file["type"], "image/jpeg");
        assert_eq!(
            (file["width"].as_u64(), file["height"].as_u64()),
            (Some(200), Some(400))
        );
        assert_eq!(file["thumbnail"], true);
        let id = file["id"].as_str().unwrap();
        let operator = Door::Operator(&owner, &customer.conversation_id);
        let (_, _, bytes) = download(&server, &operator, id, false).await;
        assert_eq!(dimensions(&bytes), (200, 400), "orientation applied");
        let seen = String::from_utf8_lossy(&bytes);
        assert!(
            !seen.contains("Exif") && !seen.contains(EXIF_SECRET),
            "no metadata is left"
        );
        let (status, headers, thumb) = download(&server, &operator, id, true).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;"));
        assert_eq!(dimensions(&thumb), (160, 320));
    }
);

on_both!(
    an_image_over_forty_megapixels_is_refused_from_its_header,
    |server| {
        let customer = server.anonymous_widget().await;
        let bomb = png_bomb(10_000, 5_000);
        assert!(bomb.len() < 100_000, "a bomb of {} bytes", bomb.len());
        let (status, body, _) = upload(&server, &Door::Customer(&customer), "bomb.png", bomb).await;
        assert_eq!(status, 422, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("10000 × 5000") && message.contains("40 megapixels"),
            "{message}"
        );
        let (status, _, _) = upload(
            &server,
            &Door::Customer(&customer),
            "broken.png",
            b"\x89PNG\r\n\x1a\nbroken".to_vec(),
        )
        .await;
        assert_eq!(status, 422, "an image that does not decode");
    }
);

on_both!(
    every_limit_answers_in_the_contracts_shape,
    [
        ("SWITCHBOARD_FILE_MAX_SIZE", "1KiB"),
        ("SWITCHBOARD_FILES_PER_MESSAGE", "2"),
        ("SWITCHBOARD_FILES_PER_CONVERSATION", "3KiB"),
        ("SWITCHBOARD_UPLOADS_PER_MINUTE", "6"),
    ],
    |server| {
        let customer = server.anonymous_widget().await;
        let door = Door::Customer(&customer);
        let (status, body, _) = upload(&server, &door, "big.txt", vec![b'a'; 1025]).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(body["error"]["code"], "payload_too_large");
        let mut ids = Vec::new();
        for n in 0..3 {
            let file = uploaded(&server, &door, &format!("{n}.txt"), vec![b'a'; 1000]).await;
            ids.push(file["id"].as_str().unwrap().to_owned());
        }
        let (status, body, _) = upload(&server, &door, "3.txt", vec![b'a'; 100]).await;
        assert_eq!(status, 413, "the quota: {body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("conversation is full"));
        let all: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (status, body) = send_files(&server, &door, "three", &all, None).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 files"));
        // Five uploads so far; the sixth counts, the seventh waits for the minute to pass.
        let (status, _, _) = upload(&server, &door, "4.txt", vec![b'a'; 100]).await;
        assert_eq!(status, 413);
        let (status, body, retry) = upload(&server, &door, "5.txt", vec![b'a'; 10]).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
        let retry: u64 = retry.expect("Retry-After").parse().unwrap();
        assert!((1..=60).contains(&retry));
        // Uploads never attached go after a day, and their bytes leave the quota with them
        // (the customer's widget token has expired by then; an operator looks).
        let owner = server.signed_in().await;
        let operator = Door::Operator(&owner, &customer.conversation_id);
        server
            .clock
            .advance(std::time::Duration::from_secs(24 * 3600 + 61));
        assert_eq!(server.engine.sweep_unattached_files().await.unwrap(), 3);
        let (status, _, _) = download(&server, &operator, &ids[0], false).await;
        assert_eq!(status, 404);
        let file = uploaded(&server, &operator, "after.txt", vec![b'a'; 1000]).await;
        let id = file["id"].as_str().unwrap();
        assert_eq!(send_files(&server, &operator, "", &[id], None).await.0, 201);
        server
            .clock
            .advance(std::time::Duration::from_secs(25 * 3600));
        assert_eq!(
            server.engine.sweep_unattached_files().await.unwrap(),
            0,
            "attached files stay"
        );
    }
);

on_both!(
    a_body_declared_over_the_limit_is_refused_before_it_is_read,
    |server| {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let customer = server.anonymous_widget().await;
        let address = server.base.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/v1/widget/files HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
            customer.token,
            11u64 << 20
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 512];
        let n = stream.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        let not_a_form = server
            .client()
            .post(server.url("/api/v1/widget/files"))
            .bearer_auth(&customer.token)
            .json(&serde_json::json!({"file": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(not_a_form.status(), 415);
        let empty: Value = upload(&server, &Door::Customer(&customer), "empty.txt", Vec::new())
            .await
            .1;
        assert_eq!(empty["error"]["code"], "invalid");
    }
);
