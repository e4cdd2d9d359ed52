//! Files in chats, as the domain sees them: the kinds a file may be (decided by its content,
//! never by its name), the kinds an installation accepts, the limits, and a cleaned name.

use uuid::Uuid;

use super::Invalid;

/// What a file is, by its content. Only these kinds are ever stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// PDF document.
    Pdf,
    /// Plain UTF-8 text (not HTML, not XML).
    Text,
    /// ZIP archive (also what .docx, .xlsx and .odt are).
    Zip,
    /// MP4 video.
    Mp4,
}

impl FileKind {
    /// Every kind, in the order settings name them.
    pub const ALL: [FileKind; 8] = [
        Self::Png,
        Self::Jpeg,
        Self::Gif,
        Self::Webp,
        Self::Pdf,
        Self::Text,
        Self::Zip,
        Self::Mp4,
    ];

    /// The kinds accepted when no setting says otherwise.
    pub const DEFAULT: [FileKind; 6] = [
        Self::Png,
        Self::Jpeg,
        Self::Gif,
        Self::Webp,
        Self::Pdf,
        Self::Text,
    ];

    /// The name a setting uses (`png`, `jpeg`, …, `text`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
            Self::Text => "text",
            Self::Zip => "zip",
            Self::Mp4 => "mp4",
        }
    }

    /// Parses a setting's name (`jpg` is `jpeg`, `txt` is `text`), ignoring case.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        match raw.as_str() {
            "jpg" => Some(Self::Jpeg),
            "txt" => Some(Self::Text),
            other => Self::ALL.into_iter().find(|kind| kind.as_str() == other),
        }
    }

    /// The media type it is served as.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain",
            Self::Zip => "application/zip",
            Self::Mp4 => "video/mp4",
        }
    }

    /// The kind a stored media type names.
    pub fn of_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.mime() == mime)
    }

    /// The file name extension that goes with it.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
            Self::Text => "txt",
            Self::Zip => "zip",
            Self::Mp4 => "mp4",
        }
    }

    /// The extensions a file of this kind may keep (lowercase); the first is the one given.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Pdf => &["pdf"],
            Self::Text => &[
                "txt", "csv", "tsv", "log", "md", "json", "yaml", "yml", "ini", "conf", "cfg",
            ],
            Self::Zip => &["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"],
            Self::Mp4 => &["mp4", "m4v", "m4a"],
        }
    }

    /// Whether the server decodes and re-encodes it (and makes a thumbnail).
    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Gif | Self::Webp)
    }

    /// What the first bytes of a file say it is. `Text` here only means "no binary signature";
    /// the whole content must still pass [`TextCheck`]. `None`: nothing this server stores
    /// (an empty file, HTML, SVG and XML included).
    pub fn sniff(head: &[u8]) -> Option<Self> {
        const SIGNATURES: [(&[u8], FileKind); 7] = [
            (b"\x89PNG\r\n\x1a\n", FileKind::Png),
            (b"\xff\xd8\xff", FileKind::Jpeg),
            (b"GIF87a", FileKind::Gif),
            (b"GIF89a", FileKind::Gif),
            (b"%PDF-", FileKind::Pdf),
            (b"PK\x03\x04", FileKind::Zip),
            (b"PK\x05\x06", FileKind::Zip),
        ];
        if let Some((_, kind)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
            return Some(*kind);
        }
        if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            return Some(Self::Webp);
        }
        if head.len() >= 12 && &head[4..8] == b"ftyp" {
            return Some(Self::Mp4);
        }
        if head.is_empty() || looks_like_markup(head) {
            return None;
        }
        Some(Self::Text)
    }
}

/// Whether text starts like a document a browser would render (WHATWG MIME sniffing's HTML and
/// XML patterns, after a BOM and white space): `<!DOCTYPE HTML`, `<html`, `<script`, `<svg`,
/// `<?xml`, `<!--` and the like. Served as text such a file is harmless, but it is not what
/// "plain text" means, and a setting cannot turn rendering on.
fn looks_like_markup(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
        .unwrap_or(head.len());
    let rest = &head[start..];
    // A tag name must end where the pattern ends; a comment or XML declaration starts one.
    const TAGS: [&[u8]; 17] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<svg",
    ];
    const OPENERS: [&[u8]; 3] = [b"<!--", b"<?xml", b"<!doctype"];
    let starts = |pattern: &[u8]| {
        rest.len() >= pattern.len() && rest[..pattern.len()].eq_ignore_ascii_case(pattern)
    };
    OPENERS.iter().any(|opener| starts(opener))
        || TAGS.iter().any(|tag| {
            starts(tag)
                && rest
                    .get(tag.len())
                    .is_some_and(|b| matches!(b, b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'/'))
        })
}

/// Checks, piece by piece, that a file is plain UTF-8 text: valid UTF-8 across the pieces' edges,
/// no NUL and no C0 control characters other than tab, line feed, form feed and carriage return.
#[derive(Debug, Default)]
pub struct TextCheck {
    /// The start of a character cut by the last piece's end.
    carry: Vec<u8>,
}

impl TextCheck {
    /// Checks the next piece; `false` once the file is not plain text.
    pub fn feed(&mut self, piece: &[u8]) -> bool {
        let mut joined;
        let bytes: &[u8] = if self.carry.is_empty() {
            piece
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(piece);
            &joined
        };
        let valid = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) if err.error_len().is_none() => {
                let (good, cut) = bytes.split_at(err.valid_up_to());
                self.carry = cut.to_vec();
                // Checked just above: the prefix is valid UTF-8.
                std::str::from_utf8(good).unwrap_or_default()
            }
            Err(_) => return false,
        };
        valid
            .bytes()
            .all(|b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r'))
    }

    /// Whether the file ended on a whole character.
    pub fn finish(self) -> bool {
        self.carry.is_empty()
    }
}

/// The kinds an installation accepts (`SWITCHBOARD_FILE_TYPES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTypes(Vec<FileKind>);

impl Default for FileTypes {
    fn default() -> Self {
        Self(FileKind::DEFAULT.to_vec())
    }
}

impl FileTypes {
    /// Parses a comma-separated list of kind names; every name must be known and at least one
    /// given.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut kinds = Vec::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let kind = FileKind::parse(name).ok_or_else(|| {
                let known: Vec<&str> = FileKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown file type {name:?}; known: {}", known.join(", "))
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            return Err("name at least one file type".to_owned());
        }
        Ok(Self(kinds))
    }

    /// Whether `kind` is accepted.
    pub fn allows(&self, kind: FileKind) -> bool {
        self.0.contains(&kind)
    }

    /// The accepted kinds.
    pub fn kinds(&self) -> &[FileKind] {
        &self.0
    }
}

/// The limits on files, each a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLimits {
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// The most files one message carries.
    pub per_message: usize,
    /// The most bytes of files one conversation holds (thumbnails included).
    pub per_conversation: u64,
    /// Uploads one sender may make per minute.
    pub uploads_per_minute: u32,
    /// The largest image accepted, in pixels; anything larger is refused before decoding.
    pub max_pixels: u64,
    /// The kinds accepted.
    pub types: FileTypes,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            per_message: 5,
            per_conversation: 200 * 1024 * 1024,
            uploads_per_minute: 20,
            max_pixels: 40_000_000,
            types: FileTypes::default(),
        }
    }
}

/// The longest file name kept, in characters.
pub const FILE_NAME_MAX_CHARS: usize = 200;

/// A file's name as shown and offered for download: the last path segment of what the sender
/// gave, without control and bidirectional-override characters, trimmed and cut to
/// [`FILE_NAME_MAX_CHARS`]; `file.<ext>` when nothing is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// Cleans what a sender named the file; `kind` gives the name when nothing usable is left.
    pub fn clean(raw: Option<&str>, kind: FileKind) -> Self {
        let raw = raw.unwrap_or_default();
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let kept: String = last
            .chars()
            .filter(|c| !c.is_control() && !super::is_bidi_control(*c))
            .collect();
        let trimmed = kept.trim().trim_start_matches('.').trim();
        let cut: String = trimmed.chars().take(FILE_NAME_MAX_CHARS).collect();
        let cut = cut.trim_end().to_owned();
        if cut.is_empty() {
            return Self(format!("file.{}", kind.extension()));
        }
        Self(cut)
    }

    /// The name with an extension that agrees with the content: kept when it is one of the
    /// kind's, else replaced by the kind's (a PNG named `report.pdf` is `report.png`); text gets
    /// `.txt` added instead, so that `page.html` holding text saves as `page.html.txt`.
    pub fn fitted(&self, kind: FileKind) -> Self {
        let ext = self
            .0
            .rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, ext)| ext.to_ascii_lowercase());
        if ext.is_some_and(|ext| kind.extensions().contains(&ext.as_str())) {
            return self.clone();
        }
        if kind == FileKind::Text {
            let stem: String = self.0.chars().take(FILE_NAME_MAX_CHARS - 4).collect();
            return Self(format!("{stem}.txt"));
        }
        self.with_extension_of(kind)
    }

    /// The same name with the extension of `kind` in place of its own.
    fn with_extension_of(&self, kind: FileKind) -> Self {
        let stem = match self.0.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => self.0.as_str(),
        };
        let ext = kind.extension();
        let stem: String = stem
            .chars()
            .take(FILE_NAME_MAX_CHARS - ext.len() - 1)
            .collect();
        Self(format!("{stem}.{ext}"))
    }

    /// Wraps a name read back from the store.
    pub fn stored(name: String) -> Self {
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The files a message names, parsed once: each at most once. How many a message may carry is
/// a setting, which the engine checks ([`FileLimits::check_count`]).
pub fn parse_attachments(ids: &[Uuid]) -> Result<Vec<Uuid>, Invalid> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if unique.contains(id) {
            return Err(Invalid::new("attachments", "names the same file twice"));
        }
        unique.push(*id);
    }
    Ok(unique)
}

impl FileLimits {
    /// Refuses a message with more files than [`FileLimits::per_message`].
    pub fn check_count(&self, count: usize) -> Result<(), Invalid> {
        if count > self.per_message {
            return Err(Invalid::new(
                "attachments",
                format!("a message carries at most {} files", self.per_message),
            ));
        }
        Ok(())
    }
}

/// A size as people read it: bytes, KB or MB (decimal, one digit under 10, halves up), in
/// whole numbers so that each unit hands over to the next where its rounding would say 1000.
pub fn file_size_text(bytes: i64, kb: &str, mb: &str) -> String {
    let bytes = bytes.max(0);
    if bytes < 1_000 {
        format!("{bytes} B")
    } else if bytes < 999_500 {
        format!("{} {kb}", (bytes + 500) / 1_000)
    } else if bytes < 9_950_000 {
        let tenths = (bytes + 50_000) / 100_000;
        format!("{}.{} {mb}", tenths / 10, tenths % 10)
    } else {
        format!("{} {mb}", (bytes + 500_000) / 1_000_000)
    }
}

/// What a file is, in a word, from its media type.
pub fn file_kind_text(content_type: &str) -> &str {
    match content_type {
        "application/pdf" => "PDF",
        "text/plain" => "TXT",
        "application/zip" => "ZIP",
        "video/mp4" => "MP4",
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_the_way_people_say_them() {
        assert_eq!(file_size_text(512, "KB", "MB"), "512 B");
        assert_eq!(file_size_text(1_500, "KB", "MB"), "2 KB");
        assert_eq!(file_size_text(2_345_678, "KB", "MB"), "2.3 MB");
        assert_eq!(file_size_text(10_485_760, "KB", "MB"), "10 MB");
        // Where one unit hands over to the next, rounding never shows "1000 KB" or "10.0 MB".
        assert_eq!(file_size_text(999_499, "KB", "MB"), "999 KB");
        assert_eq!(file_size_text(999_500, "KB", "MB"), "1.0 MB");
        assert_eq!(file_size_text(9_949_999, "KB", "MB"), "9.9 MB");
        assert_eq!(file_size_text(9_950_000, "KB", "MB"), "10 MB");
        assert_eq!(file_size_text(-1, "KB", "MB"), "0 B");
    }

    #[test]
    fn the_content_decides_the_kind_whatever_the_name() {
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(b"\xff\xd8\xff\xe0"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"GIF89a...."), Some(FileKind::Gif));
        assert_eq!(
            FileKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FileKind::Webp)
        );
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"\0\0\0\x18ftypmp42"), Some(FileKind::Mp4));
        assert_eq!(FileKind::sniff(b"hello, world\n"), Some(FileKind::Text));
        assert_eq!(FileKind::sniff(b""), None);
    }

    #[test]
    fn html_svg_and_xml_are_not_plain_text() {
        for markup in [
            &b"<!DOCTYPE html><p>x"[..],
            b"\xef\xbb\xbf  <html>",
            b"\n<svg xmlns=\"http://www.w3.org/2000/svg\">",
            b"<?xml version=\"1.0\"?>",
            b"<script>alert(1)</script>",
            b"<!-- comment -->",
            b"<a href=x>",
        ] {
            assert_eq!(
                FileKind::sniff(markup),
                None,
                "{:?}",
                String::from_utf8_lossy(markup)
            );
        }
        assert_eq!(FileKind::sniff(b"<3 thanks"), Some(FileKind::Text));
        assert_eq!(FileKind::sniff(b"a < b and <ab>"), Some(FileKind::Text));
    }

    #[test]
    fn text_must_be_utf8_without_controls_even_across_pieces() {
        let euro = "price: 5 €\r\n".as_bytes();
        let (a, b) = euro.split_at(euro.len() - 3);
        let mut check = TextCheck::default();
        assert!(check.feed(a) && check.feed(b) && check.finish());
        let mut cut = TextCheck::default();
        assert!(cut.feed(&euro[..euro.len() - 3]));
        assert!(
            !cut.finish(),
            "a file that ends inside a character is not text"
        );
        assert!(!TextCheck::default().feed(b"bell\x07"));
        assert!(!TextCheck::default().feed(b"nul\0"));
        assert!(!TextCheck::default().feed(b"\xff\xfe"));
    }

    #[test]
    fn text_is_checked_to_its_end_piece_by_piece() {
        let check_all = |bytes: &[u8]| {
            let mut check = TextCheck::default();
            bytes.chunks(64 * 1024).all(|piece| check.feed(piece)) && check.finish()
        };
        assert!(check_all(
            "line one\nline two €\n".repeat(10_000).as_bytes()
        ));
        let mut late = "ok\n".repeat(30_000).into_bytes();
        late.push(0);
        assert!(!check_all(&late));
    }

    #[test]
    fn a_type_list_names_known_kinds_only() {
        let types = FileTypes::parse("png, JPG,txt,zip").unwrap();
        assert!(types.allows(FileKind::Jpeg) && types.allows(FileKind::Zip));
        assert!(!types.allows(FileKind::Pdf));
        assert!(FileTypes::parse("png,exe").unwrap_err().contains("exe"));
        assert!(FileTypes::parse(" , ").is_err());
    }

    #[test]
    fn a_name_loses_its_path_and_controls_and_is_cut() {
        let clean = |raw: &str| {
            FileName::clean(Some(raw), FileKind::Pdf)
                .as_str()
                .to_owned()
        };
        assert_eq!(clean("../../etc/passwd"), "passwd");
        assert_eq!(clean("C:\\Users\\ann\\invoice 7.pdf"), "invoice 7.pdf");
        assert_eq!(clean("bad\u{0}\u{202e}name.pdf\n"), "badname.pdf");
        assert_eq!(clean("  .hidden "), "hidden");
        assert_eq!(clean("/"), "file.pdf");
        assert_eq!(FileName::clean(None, FileKind::Png).as_str(), "file.png");
        assert_eq!(clean(&"x".repeat(300)).chars().count(), FILE_NAME_MAX_CHARS);
    }

    #[test]
    fn a_names_extension_agrees_with_the_content() {
        let fitted = |raw: &str, kind| FileName::clean(Some(raw), kind).fitted(kind).0;
        assert_eq!(fitted("shot.webp", FileKind::Png), "shot.png");
        assert_eq!(fitted("report.pdf", FileKind::Png), "report.png");
        assert_eq!(fitted("IMG_1.JPEG", FileKind::Jpeg), "IMG_1.JPEG");
        assert_eq!(fitted("noext", FileKind::Pdf), "noext.pdf");
        assert_eq!(fitted("data.CSV", FileKind::Text), "data.CSV");
        assert_eq!(fitted("page.html", FileKind::Text), "page.html.txt");
        assert_eq!(fitted("contract.docx", FileKind::Zip), "contract.docx");
    }

    #[test]
    fn a_message_names_each_file_once_and_not_too_many() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(parse_attachments(&[a, b]).unwrap(), vec![a, b]);
        assert!(parse_attachments(&[a, a]).is_err());
        let limits = FileLimits {
            per_message: 1,
            ..FileLimits::default()
        };
        assert!(limits.check_count(1).is_ok() && limits.check_count(2).is_err());
    }
}
