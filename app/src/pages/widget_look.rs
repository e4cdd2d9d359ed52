//! The Widget page's appearance settings: brand colour (with its contrast), team name,
//! greeting, reply-time promise, corner and scheme, previewed live as they are edited.

use leptos::prelude::*;
use switchboard::domain::{GREETING_MAX_CHARS, TEAM_NAME_MAX_CHARS, TEXT_CONTRAST_MIN};
use switchboard::wire::{ReplyTime, WidgetAppearance, WidgetPosition, WidgetTheme};

use super::widget::{reply_time_text, WidgetWords};
use crate::api::SaveWidgetAppearance;
use crate::components::ErrorAlert;
use crate::i18n::*;
#[cfg(feature = "hydrate")]
use crate::widget::theme::scheme_property_names;
use crate::widget::theme::{brand_color, theme_properties};

/// The form and its preview, starting from what is saved.
#[component]
pub fn AppearanceSettings(saved: WidgetAppearance) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(saved);
    let save = ServerAction::<SaveWidgetAppearance>::new();
    let pending = save.pending();
    // Once saved, the form shows what the server kept (trimmed, lowercased colour).
    Effect::new(move |_| {
        if let Some(Ok(kept)) = save.value().get() {
            draft.set(kept);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveWidgetAppearance {
            appearance: draft.get_untracked(),
        });
    };
    let text_of = |value: Option<String>| value.unwrap_or_default();
    let optional = |value: String| (!value.trim().is_empty()).then_some(value);
    let contrast = move || {
        let color = draft.with(brand_color);
        color.contrast(&color.text_color())
    };
    view! {
        <section class="card appearance" aria-labelledby="appearance-heading">
            <h2 id="appearance-heading">{t!(i18n, setup.look_heading)}</h2>
            <div class="appearance-grid">
                <form class="appearance-form" on:submit=on_submit>
                    <div class="field">
                        <label for="look-team">{t!(i18n, setup.look_team)}</label>
                        <input id="look-team" type="text" maxlength=TEAM_NAME_MAX_CHARS.to_string()
                            placeholder=move || t_string!(i18n, widget.team_default)
                            prop:value=move || draft.with(|d| text_of(d.team_name.clone()))
                            on:input=move |ev| draft.update(|d| d.team_name = optional(event_target_value(&ev))) />
                    </div>
                    <div class="field">
                        <label for="look-greeting">{t!(i18n, setup.look_greeting)}</label>
                        <input id="look-greeting" type="text" maxlength=GREETING_MAX_CHARS.to_string()
                            placeholder=move || t_string!(i18n, widget.greeting_default)
                            prop:value=move || draft.with(|d| text_of(d.greeting.clone()))
                            on:input=move |ev| draft.update(|d| d.greeting = optional(event_target_value(&ev))) />
                    </div>
                    <div class="field">
                        <label for="look-color">{t!(i18n, setup.look_color)}</label>
                        <div class="copy-row">
                            <input id="look-color" type="color"
                                prop:value=move || draft.with(|d| brand_color(d).hex())
                                on:input=move |ev| draft.update(|d| d.color = event_target_value(&ev)) />
                            <input type="text" class="mono" dir="ltr" maxlength="7"
                                aria-label=move || t_string!(i18n, setup.look_color_hex)
                                prop:value=move || draft.with(|d| d.color.clone())
                                on:input=move |ev| draft.update(|d| d.color = event_target_value(&ev)) />
                        </div>
                        <p class=move || { if contrast() >= TEXT_CONTRAST_MIN { "hint" } else { "hint warning" } } role="status">
                            {move || {
                                let ratio = format!("{:.1}", contrast());
                                if contrast() >= TEXT_CONTRAST_MIN {
                                    t!(i18n, setup.look_contrast_ok, ratio = move || ratio.clone()).into_any()
                                } else {
                                    t!(i18n, setup.look_contrast_low, ratio = move || ratio.clone()).into_any()
                                }
                            }}
                        </p>
                    </div>
                    <div class="field">
                        <label for="look-reply">{t!(i18n, setup.look_reply)}</label>
                        <select id="look-reply" on:change=move |ev| {
                            let time = match event_target_value(&ev).as_str() {
                                "hours" => ReplyTime::Hours,
                                "day" => ReplyTime::Day,
                                _ => ReplyTime::Minutes,
                            };
                            draft.update(|d| d.reply_time = time);
                        }>
                            {[(ReplyTime::Minutes, "minutes"), (ReplyTime::Hours, "hours"), (ReplyTime::Day, "day")]
                                .into_iter()
                                .map(|(time, value)| view! {
                                    <option value=value selected=move || draft.with(|d| d.reply_time == time)>
                                        {move || reply_time_text(i18n, time)}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <fieldset class="field choice">
                        <legend>{t!(i18n, setup.look_position)}</legend>
                        <label><input type="radio" name="look-position" value="right"
                            prop:checked=move || draft.with(|d| d.position == WidgetPosition::Right)
                            on:change=move |_| draft.update(|d| d.position = WidgetPosition::Right) />
                            {t!(i18n, setup.look_right)}</label>
                        <label><input type="radio" name="look-position" value="left"
                            prop:checked=move || draft.with(|d| d.position == WidgetPosition::Left)
                            on:change=move |_| draft.update(|d| d.position = WidgetPosition::Left) />
                            {t!(i18n, setup.look_left)}</label>
                    </fieldset>
                    <fieldset class="field choice">
                        <legend>{t!(i18n, setup.look_theme)}</legend>
                        {[(WidgetTheme::Auto, "auto"), (WidgetTheme::Light, "light"), (WidgetTheme::Dark, "dark")]
                            .into_iter()
                            .map(|(theme, value)| view! {
                                <label><input type="radio" name="look-theme" value=value
                                    prop:checked=move || draft.with(|d| d.theme == theme)
                                    on:change=move |_| draft.update(|d| d.theme = theme) />
                                    {move || match theme {
                                        WidgetTheme::Auto => t_string!(i18n, setup.look_auto),
                                        WidgetTheme::Light => t_string!(i18n, setup.look_light),
                                        WidgetTheme::Dark => t_string!(i18n, setup.look_dark),
                                    }}</label>
                            })
                            .collect_view()}
                    </fieldset>
                    {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
                    {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! {
                        <p class="hint" role="status">{t!(i18n, setup.look_saved)}</p>
                    })}
                    <button type="submit" class="primary" disabled=move || pending.get()>{t!(i18n, setup.look_save)}</button>
                </form>
                <Preview draft />
            </div>
        </section>
    }
}

/// The widget as visitors will see it, drawn from the draft: header, greeting, composer and
/// launcher in the brand colour and scheme.
#[component]
fn Preview(draft: RwSignal<WidgetAppearance>) -> impl IntoView {
    let i18n = use_i18n();
    let words = WidgetWords::of(draft.into());
    let preview = NodeRef::<leptos::html::Div>::new();
    // Set through the CSSOM, which the page's style policy allows (an inline style would not
    // be), as the draft changes.
    Effect::new(move |_| {
        let properties = draft.with(theme_properties);
        #[cfg(feature = "hydrate")]
        if let Some(element) = preview.get() {
            let style = web_sys::HtmlElement::style(&element);
            for name in scheme_property_names() {
                let _ = style.remove_property(name);
            }
            for (name, value) in properties {
                let _ = style.set_property(name, &value);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (properties, preview);
    });
    view! {
        <figure class="preview-frame">
            <figcaption>{t!(i18n, setup.look_preview)}</figcaption>
            <div class="look-preview" node_ref=preview class:left=move || draft.with(|d| d.position == WidgetPosition::Left)
                aria-hidden="true">
                <div class="preview-panel">
                    <div class="preview-header">
                        <strong dir="auto">{move || words.title.get()}</strong>
                        <span>{move || words.subtitle.get()}</span>
                    </div>
                    <p class="preview-greeting" dir="auto">{move || words.greeting.get()}</p>
                    <div class="preview-composer">
                        <span>{t!(i18n, chat.placeholder)}</span>
                        <span class="preview-send">{t!(i18n, chat.send)}</span>
                    </div>
                </div>
                <div class="preview-launcher">
                    <svg viewBox="0 0 24 24" focusable="false"><path d="M4 5h16v11H9l-5 4z" /></svg>
                </div>
            </div>
        </figure>
    }
}
