//! The widget's look as CSS: the brand colour with a readable text colour on it, a fixed light
//! or dark scheme when operators chose one, and the corner it sits in.

use switchboard::domain::BrandColor;
use switchboard::wire::{WidgetAppearance, WidgetTheme, DEFAULT_WIDGET_COLOR};

/// The light scheme's colours (as `style/main.css` has them).
const LIGHT: [(&str, &str); 9] = [
    ("color-scheme", "light"),
    ("--bg", "#f6f7f9"),
    ("--surface", "#ffffff"),
    ("--text", "#16181d"),
    ("--muted", "#5b6270"),
    ("--border", "#d9dde4"),
    ("--danger", "#b42318"),
    ("--ok", "#127a3e"),
    ("--warn", "#9a6700"),
];
/// The dark scheme's colours (as `style/main.css` has them).
const DARK: [(&str, &str); 9] = [
    ("color-scheme", "dark"),
    ("--bg", "#101217"),
    ("--surface", "#181b22"),
    ("--text", "#e8eaef"),
    ("--muted", "#a0a7b4"),
    ("--border", "#2d323d"),
    ("--danger", "#ff8a80"),
    ("--ok", "#5fd68f"),
    ("--warn", "#f2c25b"),
];

/// The brand colour, or the default where a stored one does not read.
pub fn brand_color(look: &WidgetAppearance) -> BrandColor {
    BrandColor::parse("color", &look.color)
        .or_else(|_| BrandColor::parse("color", DEFAULT_WIDGET_COLOR))
        .expect("the default colour parses")
}

/// The properties that dress the widget: a fixed scheme's colours when operators chose one,
/// then the brand colour and the text colour that reads on it.
pub fn theme_properties(look: &WidgetAppearance) -> Vec<(&'static str, String)> {
    let scheme: &[(&str, &str)] = match look.theme {
        WidgetTheme::Auto => &[],
        WidgetTheme::Light => &LIGHT,
        WidgetTheme::Dark => &DARK,
    };
    let color = brand_color(look);
    scheme
        .iter()
        .map(|(name, value)| (*name, (*value).to_owned()))
        .chain([
            ("--accent", color.hex()),
            ("--accent-text", color.text_color().hex()),
        ])
        .collect()
}

/// Every property a fixed scheme sets, to clear them when the scheme goes back to auto.
pub fn scheme_property_names() -> impl Iterator<Item = &'static str> {
    LIGHT.iter().map(|(name, _)| *name)
}

/// The same as one rule for `.themed`, for the widget page's nonce'd `<style>`.
pub fn theme_css(look: &WidgetAppearance) -> String {
    let body: String = theme_properties(look)
        .into_iter()
        .map(|(name, value)| format!("{name}:{value};"))
        .collect();
    format!(".themed{{{body}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brand_colour_comes_with_the_text_colour_that_reads_on_it() {
        let look = WidgetAppearance {
            color: "#FFD400".into(),
            ..WidgetAppearance::default()
        };
        assert_eq!(
            theme_css(&look),
            ".themed{--accent:#ffd400;--accent-text:#0b1020;}"
        );
        let dark = WidgetAppearance {
            theme: WidgetTheme::Dark,
            ..WidgetAppearance::default()
        };
        let css = theme_css(&dark);
        assert!(css.starts_with(".themed{color-scheme:dark;"));
        assert!(css.ends_with("--accent:#2452d4;--accent-text:#ffffff;}"));
    }

    #[test]
    fn a_colour_that_does_not_read_falls_back_to_the_default() {
        let look = WidgetAppearance {
            color: "not a colour".into(),
            ..WidgetAppearance::default()
        };
        assert_eq!(brand_color(&look).hex(), DEFAULT_WIDGET_COLOR);
    }
}
