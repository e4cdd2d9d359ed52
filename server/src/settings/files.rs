//! Files' settings: their sizes, counts and kinds.

use anyhow::{bail, Context as _};
use switchboard::domain::{FileLimits, FileTypes};

use super::count;

/// The largest size any size setting accepts: 4 GiB.
const SIZE_MAX: u64 = 4 << 30;

/// Files' limits from the environment.
pub(super) fn file_limits(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<FileLimits> {
    let defaults = FileLimits::default();
    let size = |key: &str, default: u64| -> anyhow::Result<u64> {
        match get(key) {
            Some(raw) => parse_size(&raw).with_context(|| key.to_owned()),
            None => Ok(default),
        }
    };
    let limits = FileLimits {
        max_bytes: size("SWITCHBOARD_FILE_MAX_SIZE", defaults.max_bytes)?,
        per_message: count(
            get,
            "SWITCHBOARD_FILES_PER_MESSAGE",
            defaults.per_message,
            20,
        )?,
        per_conversation: size(
            "SWITCHBOARD_FILES_PER_CONVERSATION",
            defaults.per_conversation,
        )?,
        uploads_per_minute: count(
            get,
            "SWITCHBOARD_UPLOADS_PER_MINUTE",
            defaults.uploads_per_minute as usize,
            100_000,
        )? as u32,
        max_pixels: count(
            get,
            "SWITCHBOARD_IMAGE_MAX_PIXELS",
            defaults.max_pixels as usize,
            100_000_000,
        )? as u64,
        types: match get("SWITCHBOARD_FILE_TYPES") {
            Some(raw) => FileTypes::parse(&raw)
                .map_err(anyhow::Error::msg)
                .context("SWITCHBOARD_FILE_TYPES")?,
            None => defaults.types,
        },
    };
    if limits.max_bytes > limits.per_conversation {
        bail!(
            "SWITCHBOARD_FILE_MAX_SIZE must not be larger than SWITCHBOARD_FILES_PER_CONVERSATION"
        );
    }
    Ok(limits)
}

/// A size: a number of bytes, or one with a binary unit (`512KiB`, `10 MiB`, `1GiB`; `K`, `M`
/// and `G`, with or without `B` or `iB`, mean the same), from 1 byte to 4 GiB.
fn parse_size(raw: &str) -> anyhow::Result<u64> {
    let raw = raw.trim();
    let digits = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(digits);
    let number: u64 = number
        .parse()
        .context("must be a size such as 10MiB or 10485760")?;
    let unit = unit.trim().to_ascii_lowercase();
    let scale: u64 = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => bail!("unknown unit {unit:?}; use KiB, MiB or GiB"),
    };
    let bytes = number.saturating_mul(scale);
    if !(1..=SIZE_MAX).contains(&bytes) {
        bail!("must be from 1 byte to 4GiB");
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_or_without_a_binary_unit() {
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size(" 512 KiB ").unwrap(), 512 << 10);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5GiB").is_err());
    }
}
