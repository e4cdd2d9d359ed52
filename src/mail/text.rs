//! The reply email's words in the six UI languages. `{product}` and `{name}` are filled in by
//! [`super::compose`]; the sentences read the same for one reply or several.

/// One language's words.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    /// The two-letter code, for `Content-Language` and `lang`.
    pub lang: &'static str,
    /// Whether the script runs right to left.
    pub rtl: bool,
    /// "New reply from {product} Support".
    pub subject: &'static str,
    /// "Hello {name},".
    pub greeting_named: &'static str,
    /// "Hello,".
    pub greeting: &'static str,
    /// Above the previews.
    pub intro: &'static str,
    /// The notice for an address nobody vouched for: no message text.
    pub notice: &'static str,
    /// The link's label.
    pub open: &'static str,
    /// Why the email came.
    pub why: &'static str,
    /// The unsubscribe link's label.
    pub unsubscribe: &'static str,
    /// What an operator without a name is called.
    pub support: &'static str,
    /// Before the names of a reply's files (which are never attached to the email).
    pub files: &'static str,
}

const EN: Words = Words {
    lang: "en",
    rtl: false,
    subject: "New reply from {product} Support",
    greeting_named: "Hello {name},",
    greeting: "Hello,",
    intro: "{product} Support replied to your message:",
    notice: "{product} Support replied to your message. Open the chat to read the reply.",
    open: "Open the chat",
    why:
        "You get this email because you wrote to {product} Support and have not read the reply yet.",
    unsubscribe: "Unsubscribe from these emails",
    support: "Support",
    files: "Files (open the chat to download them)",
};

const RU: Words = Words {
    lang: "ru",
    rtl: false,
    subject: "Новый ответ от поддержки {product}",
    greeting_named: "Здравствуйте, {name}!",
    greeting: "Здравствуйте!",
    intro: "Поддержка {product} ответила на ваше сообщение:",
    notice: "Поддержка {product} ответила на ваше сообщение. Откройте чат, чтобы прочитать ответ.",
    open: "Открыть чат",
    why: "Вы получили это письмо, потому что написали в поддержку {product} и ещё не прочитали ответ.",
    unsubscribe: "Отписаться от этих писем",
    support: "Поддержка",
    files: "Файлы (откройте чат, чтобы скачать их)",
};

const DE: Words = Words {
    lang: "de",
    rtl: false,
    subject: "Neue Antwort vom {product}-Support",
    greeting_named: "Hallo {name},",
    greeting: "Hallo,",
    intro: "Der {product}-Support hat auf Ihre Nachricht geantwortet:",
    notice: "Der {product}-Support hat auf Ihre Nachricht geantwortet. Öffnen Sie den Chat, um die Antwort zu lesen.",
    open: "Chat öffnen",
    why: "Sie erhalten diese E-Mail, weil Sie dem {product}-Support geschrieben und die Antwort noch nicht gelesen haben.",
    unsubscribe: "Diese E-Mails abbestellen",
    support: "Support",
    files: "Dateien (öffnen Sie den Chat, um sie herunterzuladen)",
};

const FR: Words = Words {
    lang: "fr",
    rtl: false,
    subject: "Nouvelle réponse du support {product}",
    greeting_named: "Bonjour {name},",
    greeting: "Bonjour,",
    intro: "Le support {product} a répondu à votre message :",
    notice: "Le support {product} a répondu à votre message. Ouvrez la conversation pour lire la réponse.",
    open: "Ouvrir la conversation",
    why: "Vous recevez cet e-mail parce que vous avez écrit au support {product} et n’avez pas encore lu la réponse.",
    unsubscribe: "Ne plus recevoir ces e-mails",
    support: "Support",
    files: "Fichiers (ouvrez la conversation pour les télécharger)",
};

const ES: Words = Words {
    lang: "es",
    rtl: false,
    subject: "Nueva respuesta del soporte de {product}",
    greeting_named: "Hola, {name}:",
    greeting: "Hola:",
    intro: "El soporte de {product} respondió a tu mensaje:",
    notice: "El soporte de {product} respondió a tu mensaje. Abre el chat para leer la respuesta.",
    open: "Abrir el chat",
    why: "Recibes este correo porque escribiste al soporte de {product} y aún no has leído la respuesta.",
    unsubscribe: "Dejar de recibir estos correos",
    support: "Soporte",
    files: "Archivos (abra el chat para descargarlos)",
};

const AR: Words = Words {
    lang: "ar",
    rtl: true,
    subject: "رد جديد من دعم {product}",
    greeting_named: "مرحبًا {name}،",
    greeting: "مرحبًا،",
    intro: "ردّ دعم {product} على رسالتك:",
    notice: "ردّ دعم {product} على رسالتك. افتح المحادثة لقراءة الرد.",
    open: "فتح المحادثة",
    why: "تصلك هذه الرسالة لأنك راسلت دعم {product} ولم تقرأ الرد بعد.",
    unsubscribe: "إلغاء الاشتراك في هذه الرسائل",
    support: "الدعم",
    files: "ملفات (افتح المحادثة لتنزيلها)",
};

/// The words for a two-letter language code; English for anything else.
pub fn words(lang: Option<&str>) -> &'static Words {
    match lang {
        Some("ru") => &RU,
        Some("de") => &DE,
        Some("fr") => &FR,
        Some("es") => &ES,
        Some("ar") => &AR,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_own_words_with_the_same_placeholders() {
        let all = [EN, RU, DE, FR, ES, AR];
        for w in all {
            assert_eq!(words(Some(w.lang)).lang, w.lang);
            for (text, holes) in [
                (w.subject, &["{product}"][..]),
                (w.greeting_named, &["{name}"]),
                (w.intro, &["{product}"]),
                (w.notice, &["{product}"]),
                (w.why, &["{product}"]),
            ] {
                for hole in holes {
                    assert!(text.contains(hole), "{}: {text:?} lacks {hole}", w.lang);
                }
            }
            if w.lang != "en" {
                assert_ne!(w.subject, EN.subject, "{} is not translated", w.lang);
            }
        }
        assert_eq!(words(Some("pt")).lang, "en");
        assert_eq!(words(None).lang, "en");
    }
}
