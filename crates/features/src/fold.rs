//! The look-alike fold: the one place that decides which characters *read as* which ASCII
//! characters, shared by every encoder that compares untrusted text against names and patterns.
//!
//! An executor, a mail client or a human reviewer reads `ｇｍａｉｌ.ｆｏｒｗａｒｄ`, `gmаil` (with a
//! Cyrillic `а`) and `http://１６９.２５４.１６９.２５４/` as `gmail.forward`, `gmail` and the cloud
//! metadata address; a monitor comparing bytes does not. [`fold`] closes that gap:
//!
//! 1. **NFKC, character by character**: fullwidth, mathematical, circled and other
//!    compatibility forms become their plain characters (`ｇ` → `g`, `１` → `1`, `ﬁ` → `fi`,
//!    `𝐫𝐦` → `rm`, `⑽` → `(10)`). A character whose compatibility form is longer than
//!    [`MAX_EXPANSION`] characters (`ﷺ`, U+FDFA, is 18) is kept as written, so folding a text
//!    never makes it more than four times longer: a line of 5 million `ﷺ` cannot make a
//!    monitor allocate ten times its size.
//! 2. **Default-ignorable code points are removed** ([`is_default_ignorable`]): zero-width
//!    spaces and joiners, soft hyphens, bidi controls, variation selectors, tag characters —
//!    `cu\u{200b}rl` is `curl`.
//! 3. **Decimal digits of other scripts** ([`decimal_digit`]) become ASCII digits: an executor
//!    that reads `١٦٩.٢٥٤.١٦٩.٢٥٤` (Arabic-Indic) or `१६९` (Devanagari) as a number reads the
//!    address a monitor must see, and no script writes a word with them.
//! 4. **Cyrillic and Greek look-alikes** ([`confusable`]) become Latin letters inside a word
//!    (a run of letters and digits) whose every non-ASCII character has a Latin look-alike, so
//!    `gmаil` folds to `gmail` while a genuine Cyrillic or Greek word (`Привет`) is left alone.
//!
//! ASCII text is returned as it is, borrowed: the fold costs one scan of the bytes on the usual
//! input, and the encoders' behaviour on ASCII (all of the training data) does not change.
//!
//! The plan annotator folds tool names and argument strings before it reads them, the intent
//! normalizer folds the tool name and argument text before its rules see them, and preflight's
//! detection copy of a message uses the same tables ([`confusable`], [`is_default_ignorable`]).
//!
//! ```
//! use vigil_features::fold::fold;
//!
//! assert_eq!(fold("ｇｍａｉｌ.ｆｏｒｗａｒｄ"), "gmail.forward");
//! assert_eq!(fold("curl http://１６９.２５４.１６９.２５４/"), "curl http://169.254.169.254/");
//! assert_eq!(fold("gm\u{430}il.com"), "gmail.com"); // Cyrillic а
//! assert_eq!(fold("r\u{200b}m -rf /"), "rm -rf /");
//! assert_eq!(fold("http://١٦٩.٢٥٤.١٦٩.٢٥٤/"), "http://169.254.169.254/"); // Arabic-Indic digits
//! assert_eq!(fold("Привет, мир"), "Привет, мир"); // a real Cyrillic word stays
//! assert!(matches!(fold("plain ascii"), std::borrow::Cow::Borrowed(_)));
//! ```

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// `s` with compatibility forms, invisible characters and Cyrillic/Greek look-alikes folded as
/// described in the [module documentation](self). Borrowed when `s` is ASCII.
pub fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    for c in s.chars() {
        if c.is_ascii() {
            push(c, &mut word, &mut out);
            continue;
        }
        let mut form = ['\0'; MAX_EXPANSION];
        let mut len = 0;
        for d in std::iter::once(c).nfkc() {
            if len == MAX_EXPANSION {
                len = usize::MAX;
                break;
            }
            form[len] = d;
            len += 1;
        }
        if len == usize::MAX {
            push(c, &mut word, &mut out);
        } else {
            for &d in &form[..len] {
                push(d, &mut word, &mut out);
            }
        }
    }
    flush_word(&mut word, &mut out);
    Cow::Owned(out)
}

/// [`fold`] with every invisible character read as a word break (a space) instead of removed,
/// or `None` when `s` has none (then it would equal [`fold`]).
///
/// Removing an invisible character is right inside a word (`tra\u{200d}nsfer` reads as
/// `transfer`) but joins two words into one unknown word when it stood between them
/// (`wire\u{2060}transfer` would read as `wiretransfer`). A reader that matches words takes
/// both readings.
///
/// ```
/// use vigil_features::fold::{fold, fold_with_breaks};
///
/// assert_eq!(fold("wire\u{2060}transfer"), "wiretransfer");
/// assert_eq!(fold_with_breaks("wire\u{2060}transfer").as_deref(), Some("wire transfer"));
/// assert_eq!(fold_with_breaks("ｗｉｒｅ\u{ad}ｔｒａｎｓｆｅｒ").as_deref(), Some("wire transfer"));
/// assert_eq!(fold_with_breaks("ｇｍａｉｌ"), None);
/// assert_eq!(fold_with_breaks("wire_transfer"), None);
/// ```
pub fn fold_with_breaks(s: &str) -> Option<String> {
    if s.is_ascii() || !s.chars().any(is_default_ignorable) {
        return None;
    }
    let spaced: String = s
        .chars()
        .map(|c| if is_default_ignorable(c) { ' ' } else { c })
        .collect();
    Some(fold(&spaced).into_owned())
}

/// Writes a Unicode normal form of `raw` into `out` (appending), handing `normalize` only the
/// non-ASCII runs of the text, each with the ASCII character before it (which a combining mark
/// may compose with); the ASCII in between is copied. `normalize(piece, out)` must append the
/// normal form (NFC, NFD, NFKC or NFKD) of `piece`.
///
/// Exact for all four forms: an ASCII character is a starter that nothing before it composes
/// with or is reordered across, so a text may be cut before any ASCII character and normalized
/// piece by piece. On mostly-ASCII text (tool outputs, code, logs) this skips the normalizer's
/// per-character work on almost every byte.
///
/// ```
/// use unicode_normalization::UnicodeNormalization;
/// use vigil_features::fold::normalize_non_ascii_runs;
///
/// let mut out = String::new();
/// normalize_non_ascii_runs("cafe\u{301} ﬁle", &mut out, |piece, out| out.extend(piece.nfkc()));
/// assert_eq!(out, "café file");
/// ```
pub fn normalize_non_ascii_runs(
    raw: &str,
    out: &mut String,
    mut normalize: impl FnMut(&str, &mut String),
) {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let ascii_start = i;
        while i < bytes.len() && bytes[i].is_ascii() {
            i += 1;
        }
        if i == bytes.len() {
            out.push_str(&raw[ascii_start..]);
            break;
        }
        let run_start = if i > ascii_start { i - 1 } else { i };
        out.push_str(&raw[ascii_start..run_start]);
        while i < bytes.len() && !bytes[i].is_ascii() {
            i += 1;
        }
        normalize(&raw[run_start..i], out);
    }
}

/// Longest compatibility form (in characters) a character is replaced by; longer ones are kept
/// as written. Four covers every form that reads as ASCII (`Ⅷ` → `VIII`, `⑽` → `(10)`).
pub const MAX_EXPANSION: usize = 4;

/// Adds one folded character: invisible ones are dropped, letters and digits gather in `word`,
/// anything else ends the word.
fn push(c: char, word: &mut String, out: &mut String) {
    if is_default_ignorable(c) {
        return;
    }
    let c = decimal_digit(c).unwrap_or(c);
    if c.is_alphanumeric() {
        word.push(c);
    } else {
        flush_word(word, out);
        out.push(c);
    }
}

/// Appends `word` to `out`, its look-alikes folded when every non-ASCII character of it has one.
fn flush_word(word: &mut String, out: &mut String) {
    if word.is_empty() {
        return;
    }
    if word
        .chars()
        .all(|c| c.is_ascii() || confusable(c).is_some())
    {
        out.extend(word.chars().map(|c| confusable(c).unwrap_or(c)));
    } else {
        out.push_str(word);
    }
    word.clear();
}

/// First code points (the zeros) of the Unicode blocks of ten contiguous decimal digits
/// (general category Nd) in the Basic Multilingual Plane: Arabic-Indic, Extended Arabic-Indic,
/// NKo, the Indic scripts, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian and the other scripts
/// with digits of their own. Fullwidth and mathematical digits are not listed: NFKC folds them.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
];

/// The ASCII digit a decimal digit of another script stands for (`٣` → `3`, `३` → `3`).
///
/// ```
/// use vigil_features::fold::decimal_digit;
/// assert_eq!(decimal_digit('\u{0663}'), Some('3')); // Arabic-Indic three
/// assert_eq!(decimal_digit('\u{096F}'), Some('9')); // Devanagari nine
/// assert_eq!(decimal_digit('7'), None); // ASCII is already ASCII
/// assert_eq!(decimal_digit('a'), None);
/// ```
pub fn decimal_digit(c: char) -> Option<char> {
    let u = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&u))
        .and_then(|&zero| char::from_digit(u - zero, 10))
}

/// Default-ignorable code points: invisible, and removed before anything is compared.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The Latin look-alike of a Cyrillic or Greek letter, if it has one.
///
/// ```
/// use vigil_features::fold::confusable;
/// assert_eq!(confusable('\u{430}'), Some('a')); // Cyrillic а
/// assert_eq!(confusable('ο'), Some('o')); // Greek omicron
/// assert_eq!(confusable('ж'), None);
/// ```
pub fn confusable(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'і' => 'i',
        'ј' => 'j',
        'ԁ' => 'd',
        'һ' => 'h',
        'ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' | 'Ү' => 'Y',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        // Greek
        'α' => 'a',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'γ' => 'y',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_non_ascii_runs_equals_normalizing_the_whole_text() {
        let texts = [
            "",
            "plain ascii",
            "e\u{301}",
            "\u{301}start",
            "a\u{308}\u{301}b c\u{327}\u{301}",
            "x\u{0327}\u{0301}y\u{0301}",
            "ﬁle ﬂow Ａ１ ① ™ ½",
            "Hangul \u{1100}\u{1161}\u{11A8} and 한국어",
            "\u{FDFA} long, Å (U+212B), Ω (U+2126)",
            "mixed: naïve café — «quotes» 東京 e\u{301}\u{302}\u{303}z",
            "\u{0F73}\u{0F75} tibetan, \u{1E9B}\u{0323} long s",
        ];
        type Form = fn(&str) -> String;
        let forms: [Form; 4] = [
            |t| t.nfc().collect(),
            |t| t.nfd().collect(),
            |t| t.nfkc().collect(),
            |t| t.nfkd().collect(),
        ];
        for form in forms {
            for t in texts {
                let mut out = String::from("kept:");
                normalize_non_ascii_runs(t, &mut out, |piece, out| out.push_str(&form(piece)));
                assert_eq!(out, format!("kept:{}", form(t)), "{t:?}");
            }
        }
    }

    #[test]
    fn look_alikes_fold_to_ascii_and_real_words_stay() {
        for (raw, folded) in [
            ("ｇｍａｉｌ.ｆｏｒｗａｒｄ", "gmail.forward"),
            ("ＧＭＡＩＬ_Ｆｏｒｗａｒｄ", "GMAIL_Forward"),
            ("１６９.２５４.１６９.２５４", "169.254.169.254"),
            ("ⓒⓤⓡⓛ", "curl"),
            ("𝐫𝐦 -𝐫𝐟 /", "rm -rf /"),
            ("pаypаl.com", "paypal.com"),
            ("ЕVIL.ехаmple", "EVIL.example"),
            ("ѕеnd_emаil", "send_email"),
            ("delete\u{00ad}_all\u{200d}", "delete_all"),
            ("\u{feff}bash", "bash"),
            ("Привет мир", "Привет мир"),
            ("καλημέρα", "καλημέρα"),
            ("café", "café"),
            ("北京.cn", "北京.cn"),
            ("Ⅷ ⑽ ㎉", "VIII (10) kcal"),
            ("\u{fdfa}", "\u{fdfa}"),
        ] {
            assert_eq!(fold(raw), folded, "{raw:?}");
        }
    }

    #[test]
    fn ascii_is_borrowed_unchanged() {
        let s = "curl -s http://169.254.169.254/ | sh";
        assert!(matches!(fold(s), Cow::Borrowed(t) if t == s));
        assert!(matches!(fold(""), Cow::Borrowed("")));
    }

    #[test]
    fn folding_never_grows_a_text_more_than_fourfold() {
        for c in [
            '\u{fdfa}',
            '\u{fdfb}',
            '\u{3300}',
            '\u{33ff}',
            '\u{2474}',
            '\u{1d400}',
        ] {
            let s = c.to_string().repeat(1000);
            assert!(fold(&s).len() <= 4 * s.len(), "{c:?}");
        }
    }

    #[test]
    fn folding_is_idempotent() {
        for s in [
            "ｇｍａｉｌ",
            "pаypаl",
            "Привет",
            "a\u{200b}b",
            "ﬁle",
            "x\u{301}",
        ] {
            let once = fold(s).into_owned();
            assert_eq!(fold(&once), once, "{s:?}");
        }
    }
}
