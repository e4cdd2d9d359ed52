//! `/team`: every operator with role, status and when last seen; for the owner and admins
//! also invitations and the actions on each colleague. What a role cannot do is not shown.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use switchboard::domain::Capability;
use switchboard::wire::{ErrorCode, Invitation, Operator, Role, TeamMember};

use crate::api::{load_team, ChangeOperator, Invite, MakeOwner, RevokeInvitation, TeamView};
use crate::clock::Time;
use crate::components::{role_text, ConfirmSubmit, CopyButton, ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<Invite>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let change = ServerAction::<ChangeOperator>::new();
    let make_owner = ServerAction::<MakeOwner>::new();
    let team = load(
        move || {
            (
                invite.version().get(),
                revoke.version().get(),
                change.version().get(),
                make_owner.version().get(),
            )
        },
        |_| load_team(),
    );
    let actions = Actions {
        revoke,
        change,
        make_owner,
    };
    view! {
        <Title text=t_string!(i18n, team.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, team.title)}</h1>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match team.await {
                        Ok(view) => view! { <Team view invite actions /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || [change.value().get(), make_owner.value().get()]
                .into_iter()
                .flatten()
                .find_map(Result::err)
                .map(|error| view! { <ErrorAlert error /> })}
        </OperatorShell>
    }
}

/// The actions on colleagues and invitations.
#[derive(Clone, Copy)]
struct Actions {
    revoke: ServerAction<RevokeInvitation>,
    change: ServerAction<ChangeOperator>,
    make_owner: ServerAction<MakeOwner>,
}

#[component]
fn Team(view: TeamView, invite: ServerAction<Invite>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let TeamView {
        me,
        members,
        invitations,
    } = view;
    let runs_team = me.role.may(Capability::RunTeam);
    let rows = members
        .into_iter()
        .map(|member| view! { <MemberRow member me=me.clone() actions /> })
        .collect_view();
    view! {
        <p class="hint">{t!(i18n, team.roles_help)}</p>
        <table class="sessions team">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, team.name)}</th>
                    {runs_team.then(|| view! { <th scope="col">{t!(i18n, team.email)}</th> })}
                    <th scope="col">{t!(i18n, team.role)}</th>
                    <th scope="col">{t!(i18n, team.status)}</th>
                    {runs_team.then(|| view! {
                        <th scope="col">{t!(i18n, team.last_seen)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, team.actions)}</span></th>
                    })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {if runs_team {
            view! {
                <InviteForm invite />
                <Invitations invitations revoke=actions.revoke />
            }.into_any()
        } else {
            view! { <p class="hint">{t!(i18n, team.agent_note)}</p> }.into_any()
        }}
    }
}

#[component]
fn MemberRow(member: TeamMember, me: Operator, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let runs_team = me.role.may(Capability::RunTeam);
    let is_me = member.id == me.id;
    // The owner changes only by handing over; no one changes themselves.
    let changeable = runs_team && !is_me && member.role != Role::Owner;
    let can_hand_over = me.role == Role::Owner && member.role == Role::Admin && member.active;
    let id = member.id.to_string();
    let (id_role, id_active, id_owner) = (id.clone(), id.clone(), id);
    let role = member.role;
    view! {
        <tr class=if member.active { "" } else { "inactive" }>
            <td>
                <bdi class="user-text">{member.name.clone()}</bdi>
                {is_me.then(|| view! { " " <span class="muted">{t!(i18n, team.you)}</span> })}
            </td>
            {runs_team.then(|| view! { <td dir="ltr"><bdi>{member.email.clone().unwrap_or_default()}</bdi></td> })}
            <td>{move || role_text(i18n, role)}</td>
            <td>
                {if member.active {
                    view! { <span class="badge active">{t!(i18n, team.active)}</span> }.into_any()
                } else {
                    view! { <span class="badge ended">{t!(i18n, team.inactive)}</span> }.into_any()
                }}
            </td>
            {runs_team.then(|| view! {
                <td>{match member.last_seen_at {
                    Some(at) => view! { <Time at /> }.into_any(),
                    None => view! { <span class="muted">{t!(i18n, team.never)}</span> }.into_any(),
                }}</td>
                <td class="row-actions">
                    {changeable.then(|| {
                        let (to_role, label) = if role == Role::Admin {
                            ("agent", t_string!(i18n, team.make_agent))
                        } else {
                            ("admin", t_string!(i18n, team.make_admin))
                        };
                        view! {
                            <PostForm action=actions.change>
                                <input type="hidden" name="id" value=id_role.clone() />
                                <input type="hidden" name="role" value=to_role />
                                <button type="submit" class="secondary">{label}</button>
                            </PostForm>
                        }
                    })}
                    {changeable.then(|| {
                        if member.active {
                            view! {
                                <PostForm action=actions.change>
                                    <input type="hidden" name="id" value=id_active.clone() />
                                    <input type="hidden" name="active" value="false" />
                                    <ConfirmSubmit class="danger"
                                        label=Signal::derive(move || t_string!(i18n, team.deactivate).to_owned())
                                        question=Signal::derive(move || t_string!(i18n, team.deactivate_question).to_owned()) />
                                </PostForm>
                            }.into_any()
                        } else {
                            view! {
                                <PostForm action=actions.change>
                                    <input type="hidden" name="id" value=id_active.clone() />
                                    <input type="hidden" name="active" value="true" />
                                    <button type="submit" class="secondary">{t!(i18n, team.reactivate)}</button>
                                </PostForm>
                            }.into_any()
                        }
                    })}
                    {can_hand_over.then(|| {
                        view! {
                            <PostForm action=actions.make_owner>
                                <input type="hidden" name="id" value=id_owner.clone() />
                                <ConfirmSubmit class="secondary"
                                    label=Signal::derive(move || t_string!(i18n, team.make_owner).to_owned())
                                    question=Signal::derive(move || t_string!(i18n, team.make_owner_question).to_owned()) />
                            </PostForm>
                        }
                    })}
                </td>
            })}
        </tr>
    }
}

#[component]
fn InviteForm(invite: ServerAction<Invite>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = invite.pending();
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">{t!(i18n, team.invite_heading)}</h2>
            <PostForm action=invite attr:class="invite-form">
                <div class="field">
                    <label for="invite-email">{t!(i18n, team.invite_email)}</label>
                    <input id="invite-email" name="email" type="email" required maxlength="254" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="invite-role">{t!(i18n, team.role)}</label>
                    <select id="invite-role" name="role">
                        <option value="agent" selected>{t!(i18n, team.role_agent)}</option>
                        <option value="admin">{t!(i18n, team.role_admin)}</option>
                    </select>
                </div>
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { t_string!(i18n, team.inviting) } else { t_string!(i18n, team.invite) }}
                </button>
            </PostForm>
            {move || match invite.value().get() {
                Some(Ok(created)) => {
                    let email = created.invitation.email.clone();
                    view! {
                        <div class="created" role="status">
                            <p>{t!(i18n, team.invited, email = move || email.clone())}</p>
                            <div class="link-row">
                                <code class="link" dir="ltr">{created.accept_url.clone()}</code>
                                <CopyButton text=created.accept_url />
                            </div>
                        </div>
                    }.into_any()
                }
                Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

#[component]
fn Invitations(
    invitations: Vec<Invitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let i18n = use_i18n();
    if invitations.is_empty() {
        return view! {
            <h2>{t!(i18n, team.pending)}</h2>
            <p class="hint">{t!(i18n, team.none_pending)}</p>
        }
        .into_any();
    }
    let rows = invitations
        .into_iter()
        .map(|invitation| {
            let role = invitation.role;
            let state = invitation.email_state.clone();
            view! {
                <tr>
                    <td dir="ltr"><bdi>{invitation.email.clone()}</bdi></td>
                    <td>{move || role_text(i18n, role)}</td>
                    <td><bdi class="user-text">{invitation.invited_by.map(|by| by.name).unwrap_or_default()}</bdi></td>
                    <td><Time at=invitation.expires_at /></td>
                    <td>{move || match state.as_str() {
                        "sent" => t_string!(i18n, team.email_sent),
                        "failed" => t_string!(i18n, team.email_failed),
                        _ => t_string!(i18n, team.email_sending),
                    }}</td>
                    <td class="row-actions">
                        <PostForm action=revoke>
                            <input type="hidden" name="id" value=invitation.id.to_string() />
                            <ConfirmSubmit class="danger"
                                label=Signal::derive(move || t_string!(i18n, team.revoke).to_owned())
                                question=Signal::derive(move || t_string!(i18n, team.revoke_question).to_owned()) />
                        </PostForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t!(i18n, team.pending)}</h2>
        <table class="sessions invitations">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, team.email)}</th>
                    <th scope="col">{t!(i18n, team.role)}</th>
                    <th scope="col">{t!(i18n, team.invited_by)}</th>
                    <th scope="col">{t!(i18n, team.expires)}</th>
                    <th scope="col">{t!(i18n, team.email_state)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, team.actions)}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
