//! How each server function that a [`PostForm`](crate::post_form::PostForm) posts to reads its
//! form: the fields its `#[server]` arguments name, read as the server reads the same form
//! posted without JavaScript (a missing field of an `Option` argument is `None`).

use crate::api::{
    AcceptInvitation, ChangeLabel, ChangeOperator, ChangePassword, CreateLabel, CreateSession,
    DeleteCannedReply, DeleteLabel, EndOtherSignins, EndSession, EndSignin, EraseCustomer,
    ForgotPassword, Invite, Login, Logout, MakeOwner, RenameMe, ResetPassword, RevokeInvitation,
    RotateLink, SaveCannedReply, SetArchived,
};
use crate::error::AppError;
use crate::post_form::{field, parsed, parsed_if_present, Fields, FormInput};

/// Implements [`FormInput`] for inputs whose every argument is read by one of the
/// `post_form` readers: `Input { argument: reader, ... }`.
macro_rules! form_inputs {
    ($($input:ident { $($argument:ident: $reader:ident),* $(,)? })*) => {
        $(
            impl FormInput for $input {
                #[allow(unused_variables)]
                fn from_fields(fields: Fields) -> Result<Self, AppError> {
                    Ok(Self { $($argument: $reader(fields, stringify!($argument))?,)* })
                }
            }
        )*
    };
}

form_inputs! {
    Login { email: field, password: field }
    Logout {}
    ForgotPassword { email: field }
    ResetPassword { token: field, password: field }
    AcceptInvitation { token: field, name: field, password: field }
    CreateSession { title: field }
    RotateLink { id: field }
    EndSession { id: field, outcome: field, report: field }
    SetArchived { id: field, archived: parsed }
    RenameMe { name: field }
    ChangePassword { current_password: field, new_password: field }
    EndSignin { id: parsed }
    EndOtherSignins {}
    Invite { email: field, role: field }
    RevokeInvitation { id: parsed }
    ChangeOperator { id: parsed, role: parsed_if_present, active: parsed_if_present }
    MakeOwner { id: parsed }
    EraseCustomer { id: parsed }
    CreateLabel { name: field, color: field }
    ChangeLabel { id: parsed, name: field, color: field }
    DeleteLabel { id: parsed }
    SaveCannedReply { id: parsed_if_present, shortcut: field, title: field, content: field }
    DeleteCannedReply { id: parsed }
}

#[cfg(test)]
mod tests {
    use switchboard::wire::ErrorCode;

    use super::*;

    fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn a_sign_in_form_reads_its_email_and_password() {
        let login =
            Login::from_fields(&form(&[("email", "a@b.c"), ("password", "secret pass")])).unwrap();
        assert_eq!(
            (login.email.as_str(), login.password.as_str()),
            ("a@b.c", "secret pass")
        );
    }

    #[test]
    fn a_form_without_a_field_its_input_needs_is_invalid_and_names_it() {
        let error = Login::from_fields(&form(&[("email", "a@b.c")])).unwrap_err();
        assert_eq!(error.code, ErrorCode::Invalid);
        assert!(error.message.contains("password"), "{}", error.message);
    }

    #[test]
    fn an_archive_form_reads_its_flag_and_refuses_anything_but_true_or_false() {
        let archived =
            SetArchived::from_fields(&form(&[("id", "c1"), ("archived", "true")])).unwrap();
        assert!(archived.archived);
        let restored =
            SetArchived::from_fields(&form(&[("id", "c1"), ("archived", "false")])).unwrap();
        assert!(!restored.archived);
        let error =
            SetArchived::from_fields(&form(&[("id", "c1"), ("archived", "yes")])).unwrap_err();
        assert_eq!(error.code, ErrorCode::Invalid);
        assert!(error.message.contains("archived"), "{}", error.message);
    }

    #[test]
    fn an_id_field_must_be_a_uuid() {
        let id = uuid::Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8);
        let end = EndSignin::from_fields(&form(&[("id", &id.to_string())])).unwrap();
        assert_eq!(end.id, id);
        let error = EndSignin::from_fields(&form(&[("id", "not-a-uuid")])).unwrap_err();
        assert_eq!(error.code, ErrorCode::Invalid);
    }

    #[test]
    fn an_optional_argument_missing_from_the_form_is_none_and_present_is_read() {
        let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let role_only =
            ChangeOperator::from_fields(&form(&[("id", id), ("role", "admin")])).unwrap();
        assert_eq!(
            (role_only.role.as_deref(), role_only.active),
            (Some("admin"), None)
        );
        let active_only =
            ChangeOperator::from_fields(&form(&[("id", id), ("active", "false")])).unwrap();
        assert_eq!((active_only.role, active_only.active), (None, Some(false)));
        let new_reply = SaveCannedReply::from_fields(&form(&[
            ("shortcut", "hi"),
            ("title", "Hello"),
            ("content", "Hello there"),
        ]))
        .unwrap();
        assert_eq!(new_reply.id, None);
        let bad =
            ChangeOperator::from_fields(&form(&[("id", id), ("active", "maybe")])).unwrap_err();
        assert_eq!(bad.code, ErrorCode::Invalid);
    }

    #[test]
    fn an_end_of_session_form_keeps_a_blank_report() {
        let end = EndSession::from_fields(&form(&[
            ("id", "s1"),
            ("outcome", "resolved"),
            ("report", ""),
        ]))
        .unwrap();
        assert_eq!(
            (end.id.as_str(), end.outcome.as_str(), end.report.as_str()),
            ("s1", "resolved", "")
        );
    }
}
