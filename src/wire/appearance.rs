//! How the widget looks on a site, as operators set it and the widget reads it.

use serde::{Deserialize, Serialize};

/// Which bottom corner of the host page the widget sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WidgetPosition {
    /// Bottom right (the default).
    #[default]
    Right,
    /// Bottom left.
    Left,
}

/// Light or dark, or whatever the visitor's system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WidgetTheme {
    /// Follow the visitor's system.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// What the widget's header promises about reply times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyTime {
    /// "Usually replies in a few minutes".
    #[default]
    Minutes,
    /// "Usually replies within an hour".
    Hours,
    /// "Usually replies within a day".
    Day,
}

/// The widget's appearance: `GET /api/v1/widget/appearance` (anyone) and
/// `PUT /api/v1/widget/appearance` (operators). Absent texts show the translated defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetAppearance {
    /// The name in the widget's header ("Support" when absent).
    #[serde(default)]
    pub team_name: Option<String>,
    /// The first words a visitor reads ("Hi! How can we help?" when absent).
    #[serde(default)]
    pub greeting: Option<String>,
    /// The brand colour, `#rrggbb`.
    pub color: String,
    /// The corner of the host page.
    #[serde(default)]
    pub position: WidgetPosition,
    /// Light, dark, or the visitor's choice.
    #[serde(default)]
    pub theme: WidgetTheme,
    /// What the header promises about reply times.
    #[serde(default)]
    pub reply_time: ReplyTime,
}

/// The brand colour a widget has until operators choose one.
pub const DEFAULT_WIDGET_COLOR: &str = "#2452d4";

impl Default for WidgetAppearance {
    fn default() -> Self {
        Self {
            team_name: None,
            greeting: None,
            color: DEFAULT_WIDGET_COLOR.to_owned(),
            position: WidgetPosition::default(),
            theme: WidgetTheme::default(),
            reply_time: ReplyTime::default(),
        }
    }
}
