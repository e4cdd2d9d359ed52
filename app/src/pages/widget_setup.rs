//! `/settings/widget`: how to embed the widget: the snippet ready to copy, how to sign a user
//! id, the settings in force, and a link to the demo host page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use switchboard::wire::ErrorCode;

use super::widget_look::AppearanceSettings;
use crate::api::{widget_setup, WidgetSetupView};
use crate::components::{CodeBlock, CopyButton, ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;

/// The `<script>` tag a site embeds, for a signed-in user (`signed`) or for anonymous visitors.
pub fn snippet(public_url: &str, signed: bool) -> String {
    if signed {
        format!(
            "<script src=\"{public_url}/widget.js\" defer\n        data-user-id=\"USER_ID\"\n        data-email=\"USER_EMAIL\"\n        data-name=\"USER_NAME\"\n        data-issued-at=\"ISSUED_AT\"\n        data-signature=\"SIGNATURE\"></script>"
        )
    } else {
        format!("<script src=\"{public_url}/widget.js\" defer></script>")
    }
}

/// Server-side examples of the signature, each computing the lowercase hex HMAC-SHA256, under
/// the widget secret, of `v2\n<user id>\n<email>\n<name>\n<issued at>` (an absent email or name
/// is empty; the time is Unix seconds, and goes to the page beside the signature).
pub const SIGNING_EXAMPLES: [(&str, &str); 4] = [
    (
        "Node.js",
        "const crypto = require(\"crypto\");\nconst issuedAt = Math.floor(Date.now() / 1000);\nconst text = `v2\\n${user.id}\\n${user.email ?? \"\"}\\n${user.name ?? \"\"}\\n${issuedAt}`;\nconst signature = crypto\n  .createHmac(\"sha256\", process.env.SWITCHBOARD_WIDGET_SECRET)\n  .update(text)\n  .digest(\"hex\");",
    ),
    (
        "Python",
        "import hmac, hashlib, os, time\nissued_at = int(time.time())\ntext = f\"v2\\n{user.id}\\n{user.email or ''}\\n{user.name or ''}\\n{issued_at}\"\nsignature = hmac.new(\n    os.environ[\"SWITCHBOARD_WIDGET_SECRET\"].encode(),\n    text.encode(),\n    hashlib.sha256,\n).hexdigest()",
    ),
    (
        "PHP",
        "$issuedAt = time();\n$text = \"v2\\n{$user->id}\\n\" . ($user->email ?? '') . \"\\n\" . ($user->name ?? '') . \"\\n\" . $issuedAt;\n$signature = hash_hmac('sha256', $text, getenv('SWITCHBOARD_WIDGET_SECRET'));",
    ),
    (
        "Ruby",
        "require \"openssl\"\nissued_at = Time.now.to_i\ntext = \"v2\\n#{user.id}\\n#{user.email}\\n#{user.name}\\n#{issued_at}\"\nsignature = OpenSSL::HMAC.hexdigest(\"SHA256\", ENV.fetch(\"SWITCHBOARD_WIDGET_SECRET\"), text)",
    ),
];

/// `/settings/widget`.
#[component]
pub fn WidgetSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = load(|| (), |_| widget_setup());
    view! {
        <Title text=t_string!(i18n, setup.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, setup.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match setup.await {
                        Ok(setup) => view! { <SetupView setup /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Suspense>
        </OperatorShell>
    }
}

#[component]
fn SetupView(setup: WidgetSetupView) -> impl IntoView {
    let i18n = use_i18n();
    let WidgetSetupView {
        settings,
        public_url,
        appearance,
    } = setup;
    let origins = settings.embed_origins.join(", ");
    let from_environment = settings.secret_from_environment;
    let anonymous = settings.anonymous;
    let revealed = RwSignal::new(false);
    view! {
        <AppearanceSettings saved=appearance />
        <section class="card" aria-labelledby="embed-heading">
            <h2 id="embed-heading">{t!(i18n, setup.embed_heading)}</h2>
            <p>{t!(i18n, setup.embed_anonymous)}</p>
            <CodeBlock code=snippet(&public_url, false) />
            <p>{t!(i18n, setup.embed_signed)}</p>
            <CodeBlock code=snippet(&public_url, true) />
            <p><a href="/widget/demo" target="_blank" rel="noopener">{t!(i18n, setup.demo)}</a></p>
        </section>
        <section class="card" aria-labelledby="sign-heading">
            <h2 id="sign-heading">{t!(i18n, setup.sign_heading)}</h2>
            <p>{t!(i18n, setup.sign_body)}</p>
            <label for="widget-secret">{t!(i18n, setup.secret)}</label>
            // Hidden until asked for: a screen share or a shoulder should not carry it off.
            <div class="copy-row">
                <input id="widget-secret" dir="ltr" readonly value=settings.secret.clone() class="mono"
                    type=move || if revealed.get() { "text" } else { "password" } />
                <button type="button" class="secondary" aria-controls="widget-secret"
                    aria-pressed=move || revealed.get().to_string()
                    on:click=move |_| revealed.update(|r| *r = !*r)>
                    {t!(i18n, setup.reveal)}
                </button>
                <CopyButton text=settings.secret.clone() />
            </div>
            <p class="hint">{move || if from_environment {
                t_string!(i18n, setup.secret_from_env)
            } else {
                t_string!(i18n, setup.secret_generated)
            }}</p>
            {SIGNING_EXAMPLES.iter().map(|(language, code)| view! {
                <h3>{*language}</h3>
                <CodeBlock code=(*code).to_owned() />
            }).collect_view()}
        </section>
        <section class="card" aria-labelledby="settings-heading">
            <h2 id="settings-heading">{t!(i18n, setup.settings_heading)}</h2>
            <dl class="details">
                <dt><code>"SWITCHBOARD_WIDGET_ANONYMOUS"</code></dt>
                <dd>{move || if anonymous { t_string!(i18n, setup.anonymous_on) } else { t_string!(i18n, setup.anonymous_off) }}</dd>
                <dt><code>"SWITCHBOARD_WIDGET_EMBED_ORIGINS"</code></dt>
                <dd><code>{origins}</code></dd>
            </dl>
        </section>
    }
}
