//! The widget's appearance, checked: a real colour, short single-line texts.

use super::{parse_optional_line, Invalid};
use crate::wire::{ReplyTime, WidgetAppearance, WidgetPosition, WidgetTheme};

/// The longest team name, in Unicode scalar values.
pub const TEAM_NAME_MAX_CHARS: usize = 60;
/// The longest greeting, in Unicode scalar values.
pub const GREETING_MAX_CHARS: usize = 280;
/// The contrast WCAG asks of normal text (AA).
pub const TEXT_CONTRAST_MIN: f64 = 4.5;

/// An sRGB colour, written `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandColor([u8; 3]);

/// White, for text on dark colours.
pub const WHITE: BrandColor = BrandColor([0xff, 0xff, 0xff]);
/// Near-black, for text on light colours.
pub const INK: BrandColor = BrandColor([0x0b, 0x10, 0x20]);

impl BrandColor {
    /// Parses `#rrggbb` or `#rgb` (any case).
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let refuse = || Invalid::new(field, "must be a colour written #rrggbb");
        let hex = raw.trim().strip_prefix('#').ok_or_else(refuse)?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(refuse());
        }
        let digit = |i: usize, width: usize| {
            u8::from_str_radix(&hex[i * width..(i + 1) * width], 16).map_err(|_| refuse())
        };
        match hex.len() {
            6 => Ok(Self([digit(0, 2)?, digit(1, 2)?, digit(2, 2)?])),
            3 => Ok(Self([
                digit(0, 1)? * 17,
                digit(1, 1)? * 17,
                digit(2, 1)? * 17,
            ])),
            _ => Err(refuse()),
        }
    }

    /// `#rrggbb`, lowercase.
    pub fn hex(&self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG's relative luminance, 0 (black) to 1 (white).
    pub fn luminance(&self) -> f64 {
        let channel = |v: u8| {
            let c = f64::from(v) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// WCAG's contrast ratio with `other`, 1 to 21.
    pub fn contrast(&self, other: &Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The text colour that reads better on this one: white or near-black.
    pub fn text_color(&self) -> Self {
        if self.contrast(&WHITE) >= self.contrast(&INK) {
            WHITE
        } else {
            INK
        }
    }
}

/// The widget's appearance, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appearance {
    /// The team's name; the translated "Support" when absent.
    pub team_name: Option<String>,
    /// The greeting; the translated default when absent.
    pub greeting: Option<String>,
    /// The brand colour.
    pub color: BrandColor,
    /// The host page's corner.
    pub position: WidgetPosition,
    /// Light, dark or auto.
    pub theme: WidgetTheme,
    /// The reply-time promise.
    pub reply_time: ReplyTime,
}

impl Appearance {
    /// Checks what an operator sent.
    pub fn parse(sent: &WidgetAppearance) -> Result<Self, Invalid> {
        let text = |field, value: &Option<String>, max| {
            parse_optional_line(field, value.as_deref().unwrap_or(""), max)
        };
        Ok(Self {
            team_name: text("team_name", &sent.team_name, TEAM_NAME_MAX_CHARS)?,
            greeting: text("greeting", &sent.greeting, GREETING_MAX_CHARS)?,
            color: BrandColor::parse("color", &sent.color)?,
            position: sent.position,
            theme: sent.theme,
            reply_time: sent.reply_time,
        })
    }

    /// The wire form.
    pub fn to_wire(&self) -> WidgetAppearance {
        WidgetAppearance {
            team_name: self.team_name.clone(),
            greeting: self.greeting.clone(),
            color: self.color.hex(),
            position: self.position,
            theme: self.theme,
            reply_time: self.reply_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_both_lengths_and_any_case_and_nothing_else() {
        assert_eq!(
            BrandColor::parse("color", "#2452D4").unwrap().hex(),
            "#2452d4"
        );
        assert_eq!(
            BrandColor::parse("color", " #fa0 ").unwrap().hex(),
            "#ffaa00"
        );
        for bad in [
            "2452d4", "#2452d", "#ggg", "#1234567", "", "#", "red", "#+1+2+3",
        ] {
            assert!(
                BrandColor::parse("color", bad).is_err(),
                "{bad:?} was taken"
            );
        }
    }

    #[test]
    fn contrast_follows_wcag_and_text_takes_the_better_of_white_and_ink() {
        let black = BrandColor::parse("c", "#000000").unwrap();
        assert!((black.contrast(&WHITE) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(&WHITE) - 1.0).abs() < 1e-9);
        let default = BrandColor::parse("c", crate::wire::DEFAULT_WIDGET_COLOR).unwrap();
        assert_eq!(default.text_color(), WHITE);
        assert!(default.contrast(&WHITE) >= TEXT_CONTRAST_MIN);
        let yellow = BrandColor::parse("c", "#ffd400").unwrap();
        assert_eq!(yellow.text_color(), INK);
    }

    #[test]
    fn appearance_texts_are_single_lines_of_bounded_length_and_blank_means_default() {
        let mut sent = WidgetAppearance {
            team_name: Some("  Acme Help  ".into()),
            greeting: Some("   ".into()),
            ..WidgetAppearance::default()
        };
        let parsed = Appearance::parse(&sent).unwrap();
        assert_eq!(parsed.team_name.as_deref(), Some("Acme Help"));
        assert_eq!(parsed.greeting, None);
        sent.team_name = Some("x".repeat(TEAM_NAME_MAX_CHARS + 1));
        assert_eq!(Appearance::parse(&sent).unwrap_err().field, "team_name");
        sent.team_name = None;
        sent.greeting = Some("two\nlines".into());
        assert_eq!(Appearance::parse(&sent).unwrap_err().field, "greeting");
        sent.greeting = None;
        sent.color = "blue".into();
        assert_eq!(Appearance::parse(&sent).unwrap_err().field, "color");
    }
}
