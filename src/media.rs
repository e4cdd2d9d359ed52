//! What the server does to an uploaded file's content before it stores it, blocking work for a
//! worker thread: images are decoded and encoded again (which drops every piece of metadata:
//! EXIF with its GPS position, comments, colour profiles), turned upright, and given a thumbnail;
//! an image larger than the pixel limit is refused from its header, before any pixel is
//! allocated.

use std::fs::File;
use std::io::{BufReader, Cursor, Seek, SeekFrom};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::domain::{FileKind, Invalid};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// JPEG quality of a re-encoded photo.
const JPEG_QUALITY: u8 = 90;
/// JPEG quality of a thumbnail.
const THUMBNAIL_QUALITY: u8 = 80;

/// An image as the server stores it.
#[derive(Debug)]
pub struct Reencoded {
    /// What it is now: JPEG stays JPEG; PNG, GIF (its first frame) and WebP become PNG.
    pub kind: FileKind,
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Width after orientation.
    pub width: u32,
    /// Height after orientation.
    pub height: u32,
    /// At most [`THUMBNAIL_SIDE`] on its longer side: JPEG, or PNG where the image has alpha.
    pub thumbnail: Vec<u8>,
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageRefused {
    /// Over the pixel limit, or not decodable: the sender's problem.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Reading the spooled file failed: ours.
    #[error("reading the upload: {0}")]
    Io(#[from] std::io::Error),
}

fn format_of(kind: FileKind) -> Option<ImageFormat> {
    match kind {
        FileKind::Png => Some(ImageFormat::Png),
        FileKind::Jpeg => Some(ImageFormat::Jpeg),
        FileKind::Gif => Some(ImageFormat::Gif),
        FileKind::Webp => Some(ImageFormat::WebP),
        _ => None,
    }
}

fn undecodable() -> Invalid {
    Invalid::new("file", "the image could not be read; it may be damaged")
}

/// Decodes the image in `file` (of `kind`, from its start) and encodes it again, with a
/// thumbnail. Over `max_pixels` (width × height, from the header) it is refused before its
/// pixels are allocated.
pub fn reencode(
    file: &mut File,
    kind: FileKind,
    max_pixels: u64,
) -> Result<Reencoded, ImageRefused> {
    let format = format_of(kind).ok_or_else(undecodable)?;
    file.seek(SeekFrom::Start(0))?;
    let (width, height) = ImageReader::with_format(BufReader::new(&mut *file), format)
        .into_dimensions()
        .map_err(|_| undecodable())?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Invalid::new(
            "file",
            format!(
                "the image is {width} × {height} pixels; the largest accepted is {} megapixels",
                max_pixels / 1_000_000
            ),
        )
        .into());
    }
    file.seek(SeekFrom::Start(0))?;
    let mut reader = ImageReader::with_format(BufReader::new(&mut *file), format);
    let mut limits = Limits::default();
    // Eight bytes a pixel (16-bit RGBA) is the most a decoder of these formats allocates.
    limits.max_alloc = Some(max_pixels.saturating_mul(8) + (64 << 20));
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| undecodable())?;
    let orientation = decoder.orientation().map_err(|_| undecodable())?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| undecodable())?;
    image.apply_orientation(orientation);
    let (kind, bytes) = match kind {
        FileKind::Jpeg => (FileKind::Jpeg, jpeg(&image, JPEG_QUALITY)?),
        _ => (FileKind::Png, png(&image)?),
    };
    let small = if image.width() <= THUMBNAIL_SIDE && image.height() <= THUMBNAIL_SIDE {
        image.clone()
    } else {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    };
    let thumbnail = if small.color().has_alpha() {
        png(&small)?
    } else {
        jpeg(&small, THUMBNAIL_QUALITY)?
    };
    Ok(Reencoded {
        kind,
        width: image.width(),
        height: image.height(),
        bytes,
        thumbnail,
    })
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, Invalid> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&image.to_rgb8())
        .map_err(|_| undecodable())?;
    Ok(out)
}

fn png(image: &DynamicImage) -> Result<Vec<u8>, Invalid> {
    let mut out = Cursor::new(Vec::new());
    // PNG holds 8 and 16 bits per channel; anything else (float) goes to 8-bit RGBA.
    let image = match image {
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            DynamicImage::ImageRgba8(image.to_rgba8())
        }
        other => other.clone(),
    };
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| undecodable())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn spooled(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    fn png_of(width: u32, height: u32, alpha: bool) -> Vec<u8> {
        let image = if alpha {
            DynamicImage::new_rgba8(width, height)
        } else {
            DynamicImage::new_rgb8(width, height)
        };
        png(&image).unwrap()
    }

    #[test]
    fn an_image_comes_back_in_its_size_with_a_small_thumbnail() {
        let mut file = spooled(&png_of(1000, 500, false));
        let done = reencode(&mut file, FileKind::Png, 40_000_000).unwrap();
        assert_eq!(
            (done.kind, done.width, done.height),
            (FileKind::Png, 1000, 500)
        );
        let thumb = image::load_from_memory(&done.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
        assert_eq!(
            image::guess_format(&done.thumbnail).unwrap(),
            ImageFormat::Jpeg,
            "an opaque image's thumbnail is a JPEG"
        );
        let mut clear = spooled(&png_of(10, 10, true));
        let done = reencode(&mut clear, FileKind::Png, 40_000_000).unwrap();
        assert_eq!(
            image::guess_format(&done.thumbnail).unwrap(),
            ImageFormat::Png
        );
    }

    #[test]
    fn an_image_over_the_pixel_limit_or_undecodable_is_refused() {
        let mut big = spooled(&png_of(200, 100, false));
        let refused = reencode(&mut big, FileKind::Png, 19_999).unwrap_err();
        assert!(refused.to_string().contains("200 × 100"), "{refused}");
        let mut broken = spooled(b"\x89PNG\r\n\x1a\nnot really");
        assert!(matches!(
            reencode(&mut broken, FileKind::Png, 40_000_000),
            Err(ImageRefused::Invalid(_))
        ));
    }
}
