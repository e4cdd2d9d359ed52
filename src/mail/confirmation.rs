//! The confirmation email (double opt-in): in the customer's language, it asks the owner of an
//! address to confirm it before any reply goes there. It holds nothing the visitor typed but
//! the address itself, so nobody can make Switchboard carry their text to someone else.

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::compose::{AutoSubmitted, ContentLanguage};
use super::{Email, EmailConfig};
use crate::domain::escape_html as escape;

/// Confirmation emails one customer is sent at most in a day.
pub const CONFIRMATIONS_PER_DAY: i64 = 3;

/// One confirmation email.
#[derive(Debug, Clone)]
pub struct ConfirmationLetter<'a> {
    /// The confirmation's id: the `Message-ID`'s left part and the `.eml` file's name.
    pub id: &'a str,
    /// The address to confirm.
    pub to: &'a str,
    /// The customer's language.
    pub lang: Option<&'a str>,
    /// The signed link to the confirmation page.
    pub confirm_url: &'a str,
    /// The email's `Date`.
    pub date: DateTime<Utc>,
    /// The host part of `Message-ID`.
    pub host: &'a str,
}

struct Words {
    lang: &'static str,
    rtl: bool,
    subject: &'static str,
    body: &'static str,
    button: &'static str,
    ignore: &'static str,
}

const WORDS: [Words; 6] = [
    Words {
        lang: "en",
        rtl: false,
        subject: "Confirm your email address for {product}",
        body: "This address was entered in the {product} chat to receive replies by email. To get them, confirm that it is yours:",
        button: "Confirm my address",
        ignore: "If this was not you, ignore this email: nothing more will be sent to this address.",
    },
    Words {
        lang: "ru",
        rtl: false,
        subject: "Подтвердите адрес электронной почты для {product}",
        body: "Этот адрес указали в чате {product}, чтобы получать ответы по почте. Чтобы получать их, подтвердите, что адрес ваш:",
        button: "Подтвердить адрес",
        ignore: "Если это были не вы, просто проигнорируйте письмо: больше на этот адрес ничего не придёт.",
    },
    Words {
        lang: "de",
        rtl: false,
        subject: "Bestätigen Sie Ihre E-Mail-Adresse für {product}",
        body: "Diese Adresse wurde im Chat von {product} angegeben, um Antworten per E-Mail zu erhalten. Bestätigen Sie dafür, dass es Ihre ist:",
        button: "Adresse bestätigen",
        ignore: "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: An diese Adresse wird nichts weiter gesendet.",
    },
    Words {
        lang: "fr",
        rtl: false,
        subject: "Confirmez votre adresse e-mail pour {product}",
        body: "Cette adresse a été saisie dans le chat de {product} pour recevoir les réponses par e-mail. Pour les recevoir, confirmez qu’elle est à vous :",
        button: "Confirmer mon adresse",
        ignore: "Si ce n’était pas vous, ignorez cet e-mail : rien d’autre ne sera envoyé à cette adresse.",
    },
    Words {
        lang: "es",
        rtl: false,
        subject: "Confirma tu dirección de correo para {product}",
        body: "Esta dirección se escribió en el chat de {product} para recibir las respuestas por correo. Para recibirlas, confirma que es tuya:",
        button: "Confirmar mi dirección",
        ignore: "Si no fuiste tú, ignora este correo: no se enviará nada más a esta dirección.",
    },
    Words {
        lang: "ar",
        rtl: true,
        subject: "أكّد عنوان بريدك الإلكتروني لدى {product}",
        body: "أُدخل هذا العنوان في محادثة {product} لتلقي الردود بالبريد الإلكتروني. لتلقيها، أكّد أن العنوان لك:",
        button: "تأكيد عنواني",
        ignore: "إن لم تكن أنت، فتجاهل هذه الرسالة: لن يُرسل شيء آخر إلى هذا العنوان.",
    },
];

fn words(lang: Option<&str>) -> &'static Words {
    let lang = lang.unwrap_or("en");
    WORDS.iter().find(|w| w.lang == lang).unwrap_or(&WORDS[0])
}

/// Builds the confirmation email of `letter` under `config`.
pub fn compose_confirmation(
    config: &EmailConfig,
    letter: &ConfirmationLetter<'_>,
) -> Result<Email, lettre::error::Error> {
    let w = words(letter.lang);
    let fill = |s: &str| s.replace("{product}", &config.product_name);
    button_email(
        config,
        &ButtonEmail {
            id: letter.id,
            to: letter.to,
            host: letter.host,
            date: letter.date,
            lang: w.lang,
            rtl: w.rtl,
            subject: &fill(w.subject),
            body: &fill(w.body),
            url: letter.confirm_url,
            button: w.button,
            ignore: &fill(w.ignore),
        },
    )
}

/// A short email with one call to action: a line of text, a button (and the link in the
/// plain part), and a small line saying what to do if it was not expected.
pub(super) struct ButtonEmail<'a> {
    pub id: &'a str,
    pub to: &'a str,
    pub host: &'a str,
    pub date: DateTime<Utc>,
    pub lang: &'static str,
    pub rtl: bool,
    pub subject: &'a str,
    pub body: &'a str,
    pub url: &'a str,
    pub button: &'a str,
    pub ignore: &'a str,
}

/// Builds `letter` as a plain and HTML alternative, marked auto-submitted.
pub(super) fn button_email(
    config: &EmailConfig,
    letter: &ButtonEmail<'_>,
) -> Result<Email, lettre::error::Error> {
    let to = Mailbox::new(
        None,
        letter
            .to
            .parse()
            .map_err(|_| lettre::error::Error::MissingTo)?,
    );
    let text = format!("{}\n\n{}\n\n{}\n", letter.body, letter.url, letter.ignore);
    let html = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body style=\"margin:0;padding:24px;background:#ffffff;\
         color:#111827;font:15px/1.5 -apple-system,'Segoe UI',Roboto,Arial,sans-serif\">\
         <div style=\"max-width:560px;margin:0 auto\"><p style=\"margin:0 0 16px\">{body}</p>\
         <p style=\"margin:24px 0\"><a href=\"{url}\" style=\"display:inline-block;padding:10px 18px;\
         background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px\">{button}</a></p>\
         <p style=\"margin:32px 0 0;color:#6b7280;font-size:12px\">{ignore}</p></div></body></html>",
        lang = letter.lang,
        dir = if letter.rtl { "rtl" } else { "ltr" },
        title = escape(letter.subject),
        body = escape(letter.body),
        url = escape(letter.url),
        button = escape(letter.button),
        ignore = escape(letter.ignore),
    );
    let message = Message::builder()
        .from(config.from.clone())
        .to(to)
        .subject(letter.subject)
        .message_id(Some(format!("<{}@{}>", letter.id, letter.host)))
        .date(letter.date.into())
        .header(ContentLanguage(letter.lang))
        .header(AutoSubmitted)
        .multipart(MultiPart::alternative_plain_html(text, html))?;
    Ok(Email {
        id: letter.id.to_owned(),
        to: letter.to.to_owned(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_speaks_the_customers_language_and_carries_only_the_link() {
        let letter = ConfirmationLetter {
            id: "c-1",
            to: "zoe@example.com",
            lang: Some("de"),
            confirm_url: "https://support.example/email/confirm/abc?lang=de",
            date: Utc::now(),
            host: "support.example",
        };
        let email = compose_confirmation(&EmailConfig::default(), &letter).unwrap();
        let raw = String::from_utf8(email.message.formatted()).unwrap();
        assert!(raw.contains("Content-Language: de"), "{raw}");
        assert!(raw.contains("To: zoe@example.com"), "{raw}");
        assert!(
            raw.contains("https://support.example/email/confirm/abc?lang=3Dde")
                || raw.contains("https://support.example/email/confirm/abc?lang=de")
        );
        assert!(!raw.contains("List-Unsubscribe"));
    }
}
