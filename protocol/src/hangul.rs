//! 초성 (initial consonants) of Hangul syllables, shared by the worker's search index and the
//! app's highlighting, so what is found and what is marked follow one rule.

/// The 19 initial consonants of modern Hangul in Unicode's syllable order, as the
/// compatibility jamo a keyboard types (ㄱ ㄲ ㄴ …).
pub const INITIAL_CONSONANTS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

/// Precomposed Hangul syllables, 가 to 힣.
pub const SYLLABLES: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;
/// Conjoining initial consonants (ᄀ to ᄒ), in the same order as [`INITIAL_CONSONANTS`].
pub const CONJOINING_INITIALS: std::ops::RangeInclusive<u32> = 0x1100..=0x1112;
/// Syllables per initial consonant: 21 vowels × 28 finals (none included).
const SYLLABLES_PER_INITIAL: u32 = 21 * 28;

/// The initial consonant of a Hangul syllable (`학` → `ㅎ`), or of a conjoining initial
/// (`ᄒ` → `ㅎ`); `None` for anything else.
pub fn initial_consonant(c: char) -> Option<char> {
    let code = c as u32;
    let index = if SYLLABLES.contains(&code) {
        (code - SYLLABLES.start()) / SYLLABLES_PER_INITIAL
    } else if CONJOINING_INITIALS.contains(&code) {
        code - CONJOINING_INITIALS.start()
    } else {
        return None;
    };
    INITIAL_CONSONANTS.get(index as usize).copied()
}

/// Whether `c` is one of the initial consonants people type for a 초성 search.
pub fn is_initial_consonant(c: char) -> bool {
    INITIAL_CONSONANTS.contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_syllable_of_each_initial() {
        let spelled: String = "가까나다따라마바빠사싸아자짜차카타파하"
            .chars()
            .filter_map(initial_consonant)
            .collect();
        assert_eq!(spelled, "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ");
        // The last syllable of each block keeps its initial: 깋 is the last ㄱ syllable.
        assert_eq!(initial_consonant('깋'), Some('ㄱ'));
        assert_eq!(initial_consonant('힣'), Some('ㅎ'));
        assert_eq!(initial_consonant('\u{1112}'), Some('ㅎ'));
    }

    #[test]
    fn anything_else_has_none() {
        for c in [
            'ㄱ', 'ㅏ', '\u{1161}', '\u{11A8}', 'a', '東', '\u{ABFF}', '\u{D7A4}',
        ] {
            assert_eq!(initial_consonant(c), None, "{c:?}");
        }
        assert!(is_initial_consonant('ㄲ'));
        assert!(!is_initial_consonant('ㅏ'));
        assert!(!is_initial_consonant('가'));
    }
}
