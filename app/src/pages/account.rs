//! `/account`: the operator's own name, notification preferences (kept on the server, so they
//! follow them), password, and the browsers they are signed in on.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use switchboard::wire::{DesktopNotifications, ErrorCode, Preferences, SignIn};

use crate::api::{
    load_account, AccountView, ChangePassword, EndOtherSignins, EndSignin, RenameMe,
    SavePreferences,
};
use crate::clock::Time;
use crate::components::{role_text, ErrorAlert, OperatorShell, PasswordField};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::load::load;
use crate::post_form::PostForm;

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let rename = ServerAction::<RenameMe>::new();
    let password = ServerAction::<ChangePassword>::new();
    let end_one = ServerAction::<EndSignin>::new();
    let end_others = ServerAction::<EndOtherSignins>::new();
    let account = load(
        move || {
            (
                rename.version().get(),
                password.version().get(),
                end_one.version().get(),
                end_others.version().get(),
            )
        },
        |_| load_account(),
    );
    view! {
        <Title text=t_string!(i18n, account.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, account.title)}</h1>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(view) => view! { <Account view rename password end_one end_others /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

#[component]
fn Account(
    view: AccountView,
    rename: ServerAction<RenameMe>,
    password: ServerAction<ChangePassword>,
    end_one: ServerAction<EndSignin>,
    end_others: ServerAction<EndOtherSignins>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = view.me.operator;
    let role = me.role;
    let others = view.signins.iter().filter(|s| !s.current).count();
    let rows = view
        .signins
        .into_iter()
        .map(|signin| view! { <SignInRow signin end_one /> })
        .collect_view();
    view! {
        <div class="account-grid">
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{t!(i18n, account.profile)}</h2>
                <p>{t!(i18n, team.email)}": "<bdi dir="ltr">{me.email.clone()}</bdi></p>
                <p>{t!(i18n, team.role)}": "{move || role_text(i18n, role)}</p>
                <PostForm action=rename>
                    <div class="field inline">
                        <label for="name">{t!(i18n, account.name)}</label>
                        <input id="name" name="name" type="text" required maxlength="100" value=me.name.clone() autocomplete="name" />
                        <button type="submit" class="primary">{t!(i18n, account.save)}</button>
                    </div>
                </PostForm>
                {move || match rename.value().get() {
                    Some(Ok(_)) => view! { <p role="status" class="hint">{t!(i18n, account.saved)}</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                    None => ().into_any(),
                }}
            </section>
            <NotificationsForm preferences=view.me.preferences />
            <section class="card" aria-labelledby="password-heading">
                <h2 id="password-heading">{t!(i18n, account.password_heading)}</h2>
                <PostForm action=password>
                    <PasswordField id="current-password" name="current_password"
                        label=Signal::derive(move || t_string!(i18n, account.current_password).to_owned()) />
                    <PasswordField id="new-password" name="new_password" new=true
                        label=Signal::derive(move || t_string!(i18n, account.new_password).to_owned()) />
                    <button type="submit" class="primary">{t!(i18n, account.change_password)}</button>
                </PostForm>
                {move || match password.value().get() {
                    Some(Ok(())) => view! { <p role="status" class="hint">{t!(i18n, account.password_changed)}</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                    None => ().into_any(),
                }}
            </section>
            <section class="card wide" aria-labelledby="signins-heading">
                <h2 id="signins-heading">{t!(i18n, account.signins)}</h2>
                <table class="sessions signins">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, account.browser)}</th>
                            <th scope="col">{t!(i18n, account.address)}</th>
                            <th scope="col">{t!(i18n, account.started)}</th>
                            <th scope="col">{t!(i18n, account.last_used)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, team.actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                {(others > 0).then(|| view! {
                    <PostForm action=end_others>
                        <button type="submit" class="secondary">{t!(i18n, account.sign_out_others)}</button>
                    </PostForm>
                })}
            </section>
        </div>
    }
}

#[component]
fn SignInRow(signin: SignIn, end_one: ServerAction<EndSignin>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <tr>
            <td>
                {match signin.browser {
                    Some(browser) => view! { <span>{browser}</span> }.into_any(),
                    None => view! { <span class="muted">{t!(i18n, account.unknown_browser)}</span> }.into_any(),
                }}
                {signin.current.then(|| view! { " " <span class="badge active">{t!(i18n, account.this_browser)}</span> })}
            </td>
            <td dir="ltr"><bdi>{signin.address.unwrap_or_default()}</bdi></td>
            <td><Time at=signin.created_at /></td>
            <td><Time at=signin.last_used_at /></td>
            <td class="row-actions">
                {(!signin.current).then(|| view! {
                    <PostForm action=end_one>
                        <input type="hidden" name="id" value=signin.id.to_string() />
                        <button type="submit" class="secondary">{t!(i18n, account.sign_out)}</button>
                    </PostForm>
                })}
            </td>
        </tr>
    }
}

/// Sound and desktop notifications, saved as soon as a box changes.
#[component]
fn NotificationsForm(preferences: Preferences) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePreferences>::new();
    let current = RwSignal::new(preferences);
    let feed = use_context::<InboxFeed>();
    let toggle = move |change: fn(&mut Preferences, bool)| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            current.update(|p| change(p, on));
            let preferences = current.get_untracked();
            let desktop = preferences.desktop;
            if on && (desktop.new_message || desktop.assigned || desktop.mention) {
                crate::sound::ask_for_notifications();
            }
            if let Some(feed) = feed {
                feed.use_preferences(preferences);
            }
            save.dispatch(SavePreferences { preferences });
        }
    };
    let DesktopNotifications {
        new_message,
        assigned,
        mention,
    } = preferences.desktop;
    view! {
        <section class="card" aria-labelledby="notifications-heading">
            <h2 id="notifications-heading">{t!(i18n, account.notifications)}</h2>
            <label class="check">
                <input type="checkbox" checked=preferences.sound on:change=toggle(|p, on| p.sound = on) />
                {t!(i18n, account.sound)}
            </label>
            <label class="check">
                <input type="checkbox" checked=new_message on:change=toggle(|p, on| p.desktop.new_message = on) />
                {t!(i18n, account.desktop_new_message)}
            </label>
            <label class="check">
                <input type="checkbox" checked=assigned on:change=toggle(|p, on| p.desktop.assigned = on) />
                {t!(i18n, account.desktop_assigned)}
            </label>
            <label class="check">
                <input type="checkbox" checked=mention on:change=toggle(|p, on| p.desktop.mention = on) />
                {t!(i18n, account.desktop_mention)}
            </label>
            {move || match save.value().get() {
                Some(Ok(_)) => view! { <p role="status" class="hint">{t!(i18n, account.saved)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
