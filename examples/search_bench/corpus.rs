//! The benchmark's messages: words from a Zipf distribution over a vocabulary that starts with
//! what support chats say in the six UI languages and goes on with made-up words, now and then
//! a whole phrase; the same on every run.

use std::collections::HashMap;

/// The most frequent words, in order of frequency: what support chats are made of, in the six
/// UI languages. Ranks after these are made-up words (see [`Vocabulary::word`]).
pub const HEAD: &[&str] = &[
    "the",
    "i",
    "to",
    "my",
    "is",
    "a",
    "and",
    "it",
    "you",
    "please",
    "order",
    "for",
    "can",
    "not",
    "help",
    "with",
    "on",
    "thanks",
    "account",
    "password",
    "when",
    "have",
    "this",
    "error",
    "payment",
    "delivery",
    "refund",
    "login",
    "email",
    "invoice",
    "shipping",
    "card",
    "update",
    "app",
    "question",
    "passport",
    "passenger",
    "ordered",
    "problem",
    "заказ",
    "пароль",
    "доставка",
    "спасибо",
    "помогите",
    "طلب",
    "كلمة",
    "المرور",
    "شكرا",
    "مساعدة",
    "Bestellung",
    "Lieferung",
    "Passwort",
    "Rückerstattung",
    "commande",
    "livraison",
    "réinitialiser",
    "problème",
    "pedido",
    "contraseña",
    "envío",
    "ayuda",
    "café",
    "naïve",
    "Ärger",
];

/// Sentences some messages carry whole, for the phrase queries.
const PHRASES: &[&str] = &["where is my order", "reset my password", "где мой заказ"];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "me", "ru", "vi", "tan", "sor", "pe", "qui", "zul", "dra", "mon", "fi", "gat",
    "hel", "bri", "nok", "sa", "te", "wu",
];

/// A Zipf distribution over word ranks, and the words.
pub struct Vocabulary {
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(size: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=size)
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, random: &mut Random) -> usize {
        let total = *self.cumulative.last().expect("a vocabulary has words");
        let x = random.unit() * total;
        self.cumulative.partition_point(|&c| c < x)
    }

    /// The word of a rank (0 is the most frequent).
    pub fn word(rank: usize) -> String {
        match HEAD.get(rank) {
            Some(word) => (*word).to_owned(),
            None => {
                let mut n = rank;
                let mut word = String::new();
                loop {
                    word.push_str(SYLLABLES[n % SYLLABLES.len()]);
                    n /= SYLLABLES.len();
                    if n == 0 {
                        break;
                    }
                }
                word
            }
        }
    }
}

/// SplitMix64: the same data on every run, without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How many messages hold each word (by rank): what makes a query common or rare.
pub type Frequencies = HashMap<usize, usize>;

/// One message as the filling stores it.
pub struct Generated {
    /// Which conversation (an index into the customers filled).
    pub conversation: usize,
    /// Whether an operator sent it (else the customer).
    pub operator: bool,
    /// Whether it is a private note.
    pub internal: bool,
    /// The text.
    pub content: String,
}

/// The messages, in time order, and how many hold each word: the same on every run (a kept
/// database's queries need the frequencies of the filling it had).
pub fn corpus(messages: usize, conversations: usize) -> (Vec<Generated>, Frequencies) {
    let vocabulary = Vocabulary::new(60_000, 1.07);
    let mut random = Random(25);
    let mut frequencies = Frequencies::new();
    let messages = (0..messages)
        .map(|_| {
            let conversation = random.below(conversations);
            let operator = random.below(2) == 0;
            let internal = operator && random.below(20) == 0;
            // 4 to 30 words, and now and then one of the phrases.
            let count = 4 + random.below(27);
            let mut ranks: Vec<usize> =
                (0..count).map(|_| vocabulary.sample(&mut random)).collect();
            let mut words: Vec<String> = ranks.iter().map(|&rank| Vocabulary::word(rank)).collect();
            if random.below(20) == 0 {
                let at = random.below(words.len());
                words.insert(at, PHRASES[random.below(PHRASES.len())].to_owned());
            }
            ranks.sort_unstable();
            ranks.dedup();
            for rank in ranks {
                *frequencies.entry(rank).or_default() += 1;
            }
            Generated {
                conversation,
                operator,
                internal,
                content: words.join(" ") + ".",
            }
        })
        .collect();
    (messages, frequencies)
}
