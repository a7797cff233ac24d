//! Characters that show nothing, or reorder what is around them: in a display name they let one
//! person pass for another ("Ann" and "An\u{200B}n" look the same; U+202E turns "nimda" round
//! into "admin") or look blank. Names refuse them; names from sign-in providers lose them.
//! Chat text keeps them: it is shown as typed, isolated with `dir="auto"`.

/// Unicode's format characters (general category Cf, Unicode 15.1), listed here rather than
/// taken from a general-category table: the table would cost the room page kilobytes for
/// these few ranges. Bidi controls, zero-width spaces and joiners, word joiner, BOM,
/// interlinear annotation and tag characters are all in it.
const FORMAT: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// Letters and marks that draw nothing: the Hangul fillers (a name of U+3164 alone looks
/// empty, a known trick in Korean apps), the combining grapheme joiner, the braille blank and
/// Hangul's half-width filler.
const BLANK: &[char] = &[
    '\u{034F}', '\u{115F}', '\u{1160}', '\u{2800}', '\u{3164}', '\u{FFA0}',
];

const ZERO_WIDTH_JOINER: char = '\u{200D}';

/// Whether `c` at `index` in `chars` is invisible in a name. The zero-width joiner is kept
/// between two characters that are neither letters nor digits (emoji sequences such as
/// 👩‍💻 need it); between letters it only hides a difference.
pub fn is_invisible_at(chars: &[char], index: usize) -> bool {
    let c = chars[index];
    if c == ZERO_WIDTH_JOINER {
        let symbol = |i: Option<usize>| {
            i.and_then(|i| chars.get(i))
                .is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace() && !is_invisible(*c))
        };
        return !(symbol(index.checked_sub(1)) && symbol(index.checked_add(1)));
    }
    is_invisible(c)
}

/// Whether `c` draws nothing or reorders text (the joiner counts; see [`is_invisible_at`]).
pub fn is_invisible(c: char) -> bool {
    BLANK.contains(&c) || FORMAT.iter().any(|&(low, high)| (low..=high).contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_invisible(s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        (0..chars.len()).any(|i| is_invisible_at(&chars, i))
    }

    #[test]
    fn impersonation_tricks_are_invisible() {
        for s in [
            "\u{202E}nimda",
            "An\u{200B}n",
            "A\u{200D}nn",
            "Ann\u{2066}",
            "\u{FEFF}Ann",
            "Ann\u{00AD}",
            "\u{3164}",
            "민\u{115F}아",
            "Ann\u{E0041}",
            "\u{200D}🙂",
            "🙂\u{200D}",
        ] {
            assert!(any_invisible(s), "{s:?}");
        }
    }

    #[test]
    fn ordinary_names_and_emoji_sequences_are_not() {
        for s in [
            "Ann",
            "민아 🙂",
            "👩\u{200D}💻 Mina",
            "José",
            "Zoë",
            "ㅋㅋ",
            "李小龍",
        ] {
            assert!(!any_invisible(s), "{s:?}");
        }
    }

    #[test]
    fn ranges_are_ordered_and_well_formed() {
        assert!(FORMAT.iter().all(|(low, high)| low <= high));
        assert!(FORMAT.windows(2).all(|w| w[0].1 < w[1].0));
    }
}
