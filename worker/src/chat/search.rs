//! Search terms for chat, computed in Rust so Korean works as a Korean reader expects.
//!
//! SQLite's tokenizers do not fit Korean: `unicode61` splits on spaces only, so "학교" never
//! matches "학교에서" (particles attach to words), and `trigram` cannot match two-character words.
//! So the index holds terms we compute here, and FTS5 (with the `ascii` tokenizer, which treats
//! every non-ASCII character as part of a token and splits on ASCII spaces) only stores them:
//!
//! - Hangul, CJK ideographs and kana form runs; a run is indexed as its overlapping character
//!   bigrams, then its last character alone ("학교에서" → 학교 교에 에서 서). A query run becomes a
//!   phrase of its bigrams, so adjacency gives substring semantics ("학교" ⊂ "학교에서"); a single
//!   character is a prefix query, which meets a bigram starting with it or the closing unigram.
//!   The closing unigram also separates runs, so a phrase never spans two of them.
//! - 초성 (initial consonants): each stretch of Hangul syllables in a run is indexed a second
//!   time as its initial consonants, written as the compatibility jamo people type ("학교에서" →
//!   ㅎㄱ ㄱㅇ ㅇㅅ ㅅ), so the query "ㅎㄱㅇㅅ", a run like any other, is a phrase of the same
//!   bigrams. Initials share the index with typed jamo, so "ㅋㅋ" finds both "ㅋㅋ" and "크크".
//!   A query mixing syllables and initials in one run ("학ㄱ") finds nothing.
//! - Other letters and digits form words, lowercased; a query word is a prefix ("meet" finds
//!   "meeting").
//! - Everything else (spaces, punctuation, symbols, emoji) separates and is never searched.
//!
//! Query clauses are ANDed and each is an FTS5 string (inner `"` doubled, though terms never hold
//! one), so nothing a user types can become FTS5 syntax: `"`, `*`, `NEAR(`, `-`, `OR`, `:` are
//! separators or plain words.

use confab_protocol::hangul;

/// Longest word kept, in characters; longer words are cut the same way in text and query.
pub const MAX_WORD_CHARS: usize = 64;
/// Most clauses in one query (the rest of a very long query is ignored).
pub const MAX_QUERY_CLAUSES: usize = 16;

/// One searchable stretch of normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Letters/digits of scripts written with spaces, lowercased.
    Word(String),
    /// A run of Hangul, CJK ideographs or kana.
    Run(Vec<char>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Run,
    /// A combining mark: part of the word before it.
    Mark,
    Separator,
}

/// Version of the rules [`index_terms`] follows. Bump it whenever they change: each room then
/// rebuilds its index from its messages once (`ChatStore::migrate`), so old messages are found
/// the new way too. 2: 초성 terms.
pub const TERMS_VERSION: i64 = 2;

/// The index terms of a message, space-separated (empty when nothing in it is searchable).
pub fn index_terms(text: &str) -> String {
    let mut terms: Vec<String> = Vec::new();
    for segment in segments(text) {
        match segment {
            Segment::Word(word) => terms.push(word),
            Segment::Run(run) => {
                push_run(&mut terms, &run);
                for syllables in run.split(|c| choseong(*c).is_none()) {
                    let initials: Vec<char> =
                        syllables.iter().filter_map(|c| choseong(*c)).collect();
                    push_run(&mut terms, &initials);
                }
            }
        }
    }
    terms.join(" ")
}

/// A run's terms: its overlapping bigrams, then its last character (nothing for an empty run).
fn push_run(terms: &mut Vec<String>, run: &[char]) {
    terms.extend(run.windows(2).map(|pair| pair.iter().collect()));
    if let Some(last) = run.last() {
        terms.push(last.to_string());
    }
}

/// The initial consonant of a Hangul syllable (`학` → `ㅎ`); `None` for anything else,
/// conjoining jamo included (those are composed or mapped in [`normalize`]).
fn choseong(c: char) -> Option<char> {
    SYLLABLES
        .contains(&(c as u32))
        .then(|| hangul::initial_consonant(c))
        .flatten()
}

/// The FTS5 MATCH expression for what a user typed, or `None` when it holds nothing searchable
/// (then the answer is simply "no results").
pub fn match_expression(query: &str) -> Option<String> {
    let mut clauses: Vec<String> = Vec::new();
    for segment in segments(query) {
        let clause = match segment {
            Segment::Word(word) => format!("{}*", quote(&word)),
            Segment::Run(run) if run.len() == 1 => format!("{}*", quote(&run[0].to_string())),
            Segment::Run(run) => {
                let bigrams: Vec<String> =
                    run.windows(2).map(|pair| pair.iter().collect()).collect();
                quote(&bigrams.join(" "))
            }
        };
        if !clauses.contains(&clause) {
            clauses.push(clause);
        }
        if clauses.len() == MAX_QUERY_CLAUSES {
            break;
        }
    }
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

/// An FTS5 string literal.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn segments(text: &str) -> Vec<Segment> {
    let chars = normalize(text);
    let mut out = Vec::new();
    let mut current: Option<Segment> = None;
    for c in chars {
        match (class(c), current.as_mut()) {
            (Class::Word, Some(Segment::Word(word))) | (Class::Mark, Some(Segment::Word(word))) => {
                word.push(c)
            }
            (Class::Run, Some(Segment::Run(run))) => run.push(c),
            (Class::Word, _) => {
                out.extend(current.take());
                current = Some(Segment::Word(c.to_string()));
            }
            (Class::Run, _) => {
                out.extend(current.take());
                current = Some(Segment::Run(vec![c]));
            }
            (Class::Mark | Class::Separator, _) => out.extend(current.take()),
        }
    }
    out.extend(current);
    for segment in &mut out {
        if let Segment::Word(word) = segment {
            if let Some((cut, _)) = word.char_indices().nth(MAX_WORD_CHARS) {
                word.truncate(cut);
            }
        }
    }
    out
}

/// Lowercase, fullwidth ASCII folded to ASCII, conjoining Hangul jamo composed into syllables
/// (text typed on some systems arrives decomposed) and a conjoining initial left on its own
/// written as the compatibility jamo that 초성 terms use.
fn normalize(text: &str) -> Vec<char> {
    let folded: Vec<char> = text
        .chars()
        .map(fold_fullwidth)
        .flat_map(char::to_lowercase)
        .collect();
    let mut chars = compose_hangul(&folded);
    for c in &mut chars {
        if JAMO_L.contains(&(*c as u32)) {
            *c = hangul::initial_consonant(*c).unwrap_or(*c);
        }
    }
    chars
}

fn fold_fullwidth(c: char) -> char {
    match c as u32 {
        // FULLWIDTH EXCLAMATION MARK ..= FULLWIDTH TILDE map onto ASCII 0x21..=0x7E.
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

const JAMO_L: std::ops::RangeInclusive<u32> = hangul::CONJOINING_INITIALS;
const SYLLABLES: std::ops::RangeInclusive<u32> = hangul::SYLLABLES;
const JAMO_V: std::ops::RangeInclusive<u32> = 0x1161..=0x1175;
const JAMO_T: std::ops::RangeInclusive<u32> = 0x11A8..=0x11C2;

/// Unicode's Hangul composition (L V → LV, LV T → LVT), the part of NFC that matters here.
fn compose_hangul(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for &c in chars {
        let code = c as u32;
        if let Some(&prev) = out.last() {
            let p = prev as u32;
            let composed = if JAMO_L.contains(&p) && JAMO_V.contains(&code) {
                Some(0xAC00 + ((p - 0x1100) * 21 + (code - 0x1161)) * 28)
            } else if SYLLABLES.contains(&p)
                && (p - 0xAC00).is_multiple_of(28)
                && JAMO_T.contains(&code)
            {
                Some(p + (code - 0x11A7))
            } else {
                None
            };
            if let Some(syllable) = composed.and_then(char::from_u32) {
                if let Some(last) = out.last_mut() {
                    *last = syllable;
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn class(c: char) -> Class {
    if is_run_char(c) {
        Class::Run
    } else if c.is_alphanumeric() {
        Class::Word
    } else if is_combining_mark(c) {
        Class::Mark
    } else {
        Class::Separator
    }
}

/// Scripts written without spaces between words (or with particles attached to them).
fn is_run_char(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3041..=0x309F     // Hiragana
        | 0x30A0..=0x30FF     // Katakana
        | 0x3131..=0x318E     // Hangul Compatibility Jamo (ㅋㅋ, ㅎㅎ)
        | 0x31F0..=0x31FF     // Katakana Phonetic Extensions
        | 0x3400..=0x4DBF     // CJK Extension A
        | 0x4E00..=0x9FFF     // CJK Unified Ideographs
        | 0xA960..=0xA97F     // Hangul Jamo Extended-A
        | 0xAC00..=0xD7A3     // Hangul Syllables
        | 0xD7B0..=0xD7FF     // Hangul Jamo Extended-B
        | 0xF900..=0xFAFF     // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F     // Halfwidth Katakana
        | 0xFFA0..=0xFFDC     // Halfwidth Hangul
        | 0x20000..=0x3134F // CJK Extensions B–G
    )
}

/// Combining marks that decorate Latin, Greek, Cyrillic etc. letters (e + U+0301 = é).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
    )
}

#[cfg(test)]
mod tests;
