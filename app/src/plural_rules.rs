//! The plural rules the browser's bundle carries: our languages' alone, baked by the build
//! script from CLDR. ICU's compiled data, which the server uses, holds every locale's rules and
//! the tables to fall back between them; in the bundle that was code and data no page needed.

use icu_locale::Locale;
use icu_plurals::{PluralRuleType, PluralRules};
use icu_provider::{DataError, DataErrorKind};
use leptos_i18n::custom_provider::IcuDataProvider;

// What the build script baked: macros that implement ICU's provider traits for a type.
#[allow(unused_macros)]
mod baked {
    include!(concat!(env!("OUT_DIR"), "/plural_rules/mod.rs"));
}

/// Serves leptos_i18n the cardinal plural rules of the languages the app was built with.
struct OurLanguages;

baked::make_provider!(OurLanguages);
baked::impl_plurals_cardinal_v1!(OurLanguages);

impl IcuDataProvider for OurLanguages {
    fn try_new_plural_rules(
        &self,
        locale: &Locale,
        rule_type: PluralRuleType,
    ) -> Result<PluralRules, DataError> {
        match rule_type {
            PluralRuleType::Cardinal => PluralRules::try_new_cardinal_unstable(self, locale.into()),
            // No translation counts "1st, 2nd": the build bakes no ordinal rules.
            _ => Err(DataErrorKind::MarkerNotFound.into_error()),
        }
    }
}

/// Gives leptos_i18n the baked rules; call it before anything is rendered.
#[cfg(feature = "hydrate")]
pub fn install() {
    leptos_i18n::custom_provider::set_icu_data_provider(OurLanguages);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale as Language;
    use leptos_i18n::Locale as _;

    // The server renders with ICU's compiled data and the browser hydrates with the baked
    // rules: where they disagreed, a count would be worded one way and then rewritten.
    #[test]
    fn the_baked_rules_word_every_count_as_the_servers_do_in_every_language() {
        for language in Language::get_all() {
            let locale = language.as_icu_locale();
            let ours = OurLanguages
                .try_new_plural_rules(locale, PluralRuleType::Cardinal)
                .unwrap_or_else(|e| panic!("{locale}: no baked rules: {e}"));
            let servers = PluralRules::try_new(locale.into(), PluralRuleType::Cardinal.into())
                .expect("ICU's compiled data has every locale");
            for count in 0..=1_000_u32 {
                assert_eq!(
                    ours.category_for(count),
                    servers.category_for(count),
                    "{locale}, {count}"
                );
            }
        }
    }

    #[test]
    fn russian_and_arabic_get_their_own_forms_from_the_baked_rules() {
        use icu_plurals::PluralCategory::*;
        let rules = |tag: &str| {
            let locale: Locale = tag.parse().expect("a locale");
            OurLanguages
                .try_new_plural_rules(&locale, PluralRuleType::Cardinal)
                .expect("baked")
        };
        let ru = rules("ru");
        assert_eq!(
            [1, 2, 5, 21, 22, 25].map(|n: u32| ru.category_for(n)),
            [One, Few, Many, One, Few, Many]
        );
        let ar = rules("ar");
        assert_eq!(
            [0, 1, 2, 3, 11, 100].map(|n: u32| ar.category_for(n)),
            [Zero, One, Two, Few, Many, Other]
        );
    }

    #[test]
    fn a_language_the_app_was_not_built_with_has_no_baked_rules() {
        let japanese: Locale = "ja".parse().expect("a locale");
        assert!(OurLanguages
            .try_new_plural_rules(&japanese, PluralRuleType::Cardinal)
            .is_err());
    }
}
