//! Emails to operators about their account: an invitation to join the team, and a password
//! reset link. Each carries one link and nothing anyone typed but a name.

use chrono::{DateTime, Utc};

use super::confirmation::{button_email, ButtonEmail};
use super::{Email, EmailConfig};

/// Which account email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEmail<'a> {
    /// An invitation from this operator (by name).
    Invitation {
        /// The inviter's name.
        inviter: &'a str,
    },
    /// A password reset link.
    Reset,
}

/// One account email.
#[derive(Debug, Clone)]
pub struct AccountLetter<'a> {
    /// What it is.
    pub kind: AccountEmail<'a>,
    /// The `Message-ID`'s left part and the `.eml` file's name.
    pub id: &'a str,
    /// The recipient.
    pub to: &'a str,
    /// The language (the inviter's, or the one the reset was asked in).
    pub lang: Option<&'a str>,
    /// The one-time link.
    pub url: &'a str,
    /// The email's `Date`.
    pub date: DateTime<Utc>,
    /// The host part of `Message-ID`.
    pub host: &'a str,
}

struct Words {
    lang: &'static str,
    rtl: bool,
    invite_subject: &'static str,
    invite_body: &'static str,
    invite_button: &'static str,
    invite_ignore: &'static str,
    reset_subject: &'static str,
    reset_body: &'static str,
    reset_button: &'static str,
    reset_ignore: &'static str,
}

const WORDS: [Words; 6] = [
    Words {
        lang: "en",
        rtl: false,
        invite_subject: "{inviter} invited you to {product}",
        invite_body: "{inviter} invited you to join the support team on {product}. The link works once, for 7 days:",
        invite_button: "Join the team",
        invite_ignore: "If you did not expect this, ignore this email: without the link nothing happens.",
        reset_subject: "Reset your {product} password",
        reset_body: "Someone asked to reset the password of your {product} account. The link works once, for 30 minutes, and signs out every browser:",
        reset_button: "Choose a new password",
        reset_ignore: "If it was not you, ignore this email: your password stays as it is.",
    },
    Words {
        lang: "ru",
        rtl: false,
        invite_subject: "{inviter} приглашает вас в {product}",
        invite_body: "{inviter} приглашает вас в команду поддержки в {product}. Ссылка работает один раз, 7 дней:",
        invite_button: "Присоединиться",
        invite_ignore: "Если вы не ждали этого письма, просто проигнорируйте его: без ссылки ничего не произойдёт.",
        reset_subject: "Сброс пароля {product}",
        reset_body: "Кто-то запросил сброс пароля вашей учётной записи {product}. Ссылка работает один раз, 30 минут, и завершает все входы:",
        reset_button: "Задать новый пароль",
        reset_ignore: "Если это были не вы, проигнорируйте письмо: пароль останется прежним.",
    },
    Words {
        lang: "de",
        rtl: false,
        invite_subject: "{inviter} hat Sie zu {product} eingeladen",
        invite_body: "{inviter} hat Sie ins Support-Team bei {product} eingeladen. Der Link funktioniert einmal, 7 Tage lang:",
        invite_button: "Dem Team beitreten",
        invite_ignore: "Wenn Sie das nicht erwartet haben, ignorieren Sie diese E-Mail: Ohne den Link passiert nichts.",
        reset_subject: "Passwort für {product} zurücksetzen",
        reset_body: "Jemand möchte das Passwort Ihres Kontos bei {product} zurücksetzen. Der Link funktioniert einmal, 30 Minuten lang, und meldet alle Browser ab:",
        reset_button: "Neues Passwort wählen",
        reset_ignore: "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.",
    },
    Words {
        lang: "fr",
        rtl: false,
        invite_subject: "{inviter} vous invite sur {product}",
        invite_body: "{inviter} vous invite à rejoindre l’équipe support sur {product}. Le lien fonctionne une fois, pendant 7 jours :",
        invite_button: "Rejoindre l’équipe",
        invite_ignore: "Si vous ne vous y attendiez pas, ignorez cet e-mail : sans le lien, rien ne se passe.",
        reset_subject: "Réinitialiser votre mot de passe {product}",
        reset_body: "Quelqu’un a demandé à réinitialiser le mot de passe de votre compte {product}. Le lien fonctionne une fois, pendant 30 minutes, et déconnecte tous les navigateurs :",
        reset_button: "Choisir un nouveau mot de passe",
        reset_ignore: "Si ce n’était pas vous, ignorez cet e-mail : votre mot de passe ne change pas.",
    },
    Words {
        lang: "es",
        rtl: false,
        invite_subject: "{inviter} te ha invitado a {product}",
        invite_body: "{inviter} te ha invitado a unirte al equipo de soporte en {product}. El enlace funciona una vez, durante 7 días:",
        invite_button: "Unirme al equipo",
        invite_ignore: "Si no lo esperabas, ignora este correo: sin el enlace no pasa nada.",
        reset_subject: "Restablece tu contraseña de {product}",
        reset_body: "Alguien pidió restablecer la contraseña de tu cuenta de {product}. El enlace funciona una vez, durante 30 minutos, y cierra la sesión en todos los navegadores:",
        reset_button: "Elegir una contraseña nueva",
        reset_ignore: "Si no fuiste tú, ignora este correo: tu contraseña sigue igual.",
    },
    Words {
        lang: "ar",
        rtl: true,
        invite_subject: "دعاك {inviter} إلى {product}",
        invite_body: "دعاك {inviter} للانضمام إلى فريق الدعم في {product}. يعمل الرابط مرة واحدة، لمدة 7 أيام:",
        invite_button: "الانضمام إلى الفريق",
        invite_ignore: "إن لم تكن تتوقع هذه الرسالة فتجاهلها: لن يحدث شيء من دون الرابط.",
        reset_subject: "إعادة تعيين كلمة مرور {product}",
        reset_body: "طلب أحدهم إعادة تعيين كلمة مرور حسابك في {product}. يعمل الرابط مرة واحدة، لمدة 30 دقيقة، ويُنهي كل تسجيلات الدخول:",
        reset_button: "اختيار كلمة مرور جديدة",
        reset_ignore: "إن لم تكن أنت، فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.",
    },
];

/// Builds the account email of `letter` under `config`.
pub fn compose_account(
    config: &EmailConfig,
    letter: &AccountLetter<'_>,
) -> Result<Email, lettre::error::Error> {
    let lang = letter.lang.unwrap_or("en");
    let w = WORDS.iter().find(|w| w.lang == lang).unwrap_or(&WORDS[0]);
    let inviter = match letter.kind {
        AccountEmail::Invitation { inviter } => inviter,
        AccountEmail::Reset => "",
    };
    let fill = |s: &str| {
        s.replace("{product}", &config.product_name)
            .replace("{inviter}", inviter)
    };
    let (subject, body, button, ignore) = match letter.kind {
        AccountEmail::Invitation { .. } => (
            w.invite_subject,
            w.invite_body,
            w.invite_button,
            w.invite_ignore,
        ),
        AccountEmail::Reset => (
            w.reset_subject,
            w.reset_body,
            w.reset_button,
            w.reset_ignore,
        ),
    };
    button_email(
        config,
        &ButtonEmail {
            id: letter.id,
            to: letter.to,
            host: letter.host,
            date: letter.date,
            lang: w.lang,
            rtl: w.rtl,
            subject: &fill(subject),
            body: &fill(body),
            url: letter.url,
            button,
            ignore: &fill(ignore),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_names_the_inviter_in_the_chosen_language() {
        let letter = AccountLetter {
            kind: AccountEmail::Invitation { inviter: "Olga" },
            id: "i-1",
            to: "new@example.com",
            lang: Some("fr"),
            url: "https://support.example/invite/abc",
            date: Utc::now(),
            host: "support.example",
        };
        let email = compose_account(&EmailConfig::default(), &letter).unwrap();
        let raw = String::from_utf8(email.message.formatted()).unwrap();
        assert!(raw.contains("Content-Language: fr"), "{raw}");
        assert!(raw.contains("To: new@example.com"), "{raw}");
        assert!(raw.contains("https://support.example/invite/abc"), "{raw}");
        assert_eq!(email.id, "i-1");
    }
}
