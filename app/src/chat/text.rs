//! How message text is cut into pieces for display. Everything here returns plain strings that
//! the view renders as text nodes; no piece is ever parsed as HTML.

use confab_protocol::hangul;

/// A run of message text: plain, or an http(s) URL that may become a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// Shown as its own text and used verbatim as `href`; always `http://` or `https://`.
    Link(String),
}

/// Splits `text` into plain runs and http/https URLs. Any other scheme (`javascript:`, `data:`,
/// ...) stays plain text.
pub fn linkify(text: &str) -> Vec<Piece> {
    // ASCII lowercasing keeps byte offsets, so indices found in `lower` are valid in `text`.
    let lower = text.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("http") {
        let start = search_from + found;
        search_from = start + 4;
        let scheme = if lower[start..].starts_with("https://") {
            8
        } else if lower[start..].starts_with("http://") {
            7
        } else {
            continue;
        };
        // A URL starts a word: "xhttp://" is not one.
        if text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        let end = url_end(text, start);
        let url = &text[start..end];
        let host_starts = url[scheme..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '[');
        if !host_starts {
            continue;
        }
        if plain_from < start {
            pieces.push(Piece::Text(text[plain_from..start].to_owned()));
        }
        pieces.push(Piece::Link(url.to_owned()));
        plain_from = end;
        search_from = end;
    }
    if plain_from < text.len() {
        pieces.push(Piece::Text(text[plain_from..].to_owned()));
    }
    pieces
}

/// Where a URL starting at `start` ends: at whitespace or a delimiter, minus trailing
/// punctuation that belongs to the sentence ("see https://a.b/c.") and unbalanced `)`.
fn url_end(text: &str, start: usize) -> usize {
    let mut end = text[start..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control() || "<>\"`{}|\\^".contains(*c))
        .map_or(text.len(), |(i, _)| start + i);
    loop {
        let url = &text[start..end];
        let Some(last) = url.chars().next_back() else {
            break;
        };
        let unbalanced_paren = last == ')' && url.matches(')').count() > url.matches('(').count();
        if ".,;:!?'*".contains(last) || unbalanced_paren || last == ']' && !url.contains('[') {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    end
}

/// A run of text in a search result: `hit` runs match a query term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub text: String,
    pub hit: bool,
}

/// Marks every case-insensitive occurrence of each whitespace-separated term of `query` in
/// `text`. Works on characters, so Korean ("학교" in "학교에서") and other scripts split safely.
pub fn highlight(text: &str, query: &str) -> Vec<Mark> {
    let chars: Vec<char> = text.chars().collect();
    let terms: Vec<Vec<char>> = query
        .split_whitespace()
        .map(|t| t.chars().collect())
        .collect();
    let mut hit = vec![false; chars.len()];
    for start in 0..chars.len() {
        for term in &terms {
            let fits = start + term.len() <= chars.len();
            if fits
                && term
                    .iter()
                    .zip(&chars[start..])
                    .all(|(a, b)| same_letter(*a, *b))
            {
                hit[start..start + term.len()].fill(true);
            }
        }
    }
    let mut marks: Vec<Mark> = Vec::new();
    for (c, h) in chars.into_iter().zip(hit) {
        match marks.last_mut() {
            Some(last) if last.hit == h => last.text.push(c),
            _ => marks.push(Mark {
                text: c.to_string(),
                hit: h,
            }),
        }
    }
    marks
}

/// Whether query character `q` matches text character `t`: the same letter in any case, or a
/// 초성 typed for a syllable that starts with it (ㅎ for 학), as the room's search finds them.
fn same_letter(q: char, t: char) -> bool {
    q == t
        || q.to_lowercase().eq(t.to_lowercase())
        || (hangul::is_initial_consonant(q) && hangul::initial_consonant(t) == Some(q))
}

/// A short message of emoji only (shown larger, as chat apps do).
pub fn is_emoji_only(text: &str) -> bool {
    let mut base = 0;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        match c as u32 {
            // Joiners, variation selectors, skin tones, keycap and tag characters.
            0x200D | 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F => {}
            0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF => base += 1,
            _ => return false,
        }
    }
    (1..=6).contains(&base)
}

/// What the emoji picker offers.
pub const EMOJI: &[&str] = &[
    "😀", "😂", "🙂", "😉", "😍", "🤔", "😮", "😢", "😡", "😴", "🥳", "😎", "👍", "👎", "👏", "🙏",
    "👋", "🙌", "💪", "🤝", "❤️", "🔥", "✨", "🎉", "✅", "❌", "⚠️", "💡", "📌", "📎", "☕", "🍕",
    "🚀", "👀", "💯", "🤷",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    fn link(s: &str) -> Piece {
        Piece::Link(s.into())
    }

    #[test]
    fn plain_text_stays_one_piece_exactly_as_typed() {
        let raw = "  two  spaces\nand a <b>tag</b> & \"quotes\"  ";
        assert_eq!(linkify(raw), vec![text(raw)]);
        assert_eq!(linkify(""), Vec::<Piece>::new());
    }

    #[test]
    fn http_and_https_urls_become_links_inside_text() {
        assert_eq!(
            linkify("see https://example.com/a?b=1#c and http://x.org"),
            vec![
                text("see "),
                link("https://example.com/a?b=1#c"),
                text(" and "),
                link("http://x.org"),
            ]
        );
        assert_eq!(
            linkify("HTTPS://EXAMPLE.COM"),
            vec![link("HTTPS://EXAMPLE.COM")]
        );
    }

    #[test]
    fn other_schemes_are_never_links() {
        for raw in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "ftp://example.com",
            "//example.com",
            "https:javascript:alert(1)",
            "http:/one-slash.com",
            "https://",
            "https:// space.com",
        ] {
            assert!(
                linkify(raw).iter().all(|p| matches!(p, Piece::Text(_))),
                "{raw} must stay text"
            );
        }
    }

    #[test]
    fn a_url_glued_to_a_word_is_not_a_link() {
        assert_eq!(linkify("xhttps://a.b"), vec![text("xhttps://a.b")]);
        assert_eq!(
            linkify("(https://a.b)"),
            vec![text("("), link("https://a.b"), text(")")]
        );
    }

    #[test]
    fn trailing_punctuation_and_quotes_end_a_url() {
        assert_eq!(
            linkify("go to https://a.b/c. Then"),
            vec![text("go to "), link("https://a.b/c"), text(". Then")]
        );
        assert_eq!(
            linkify("https://en.wikipedia.org/wiki/Rust_(language)!"),
            vec![
                link("https://en.wikipedia.org/wiki/Rust_(language)"),
                text("!")
            ]
        );
        assert_eq!(
            linkify("<a href=\"https://a.b/\" onclick=x>"),
            vec![
                text("<a href=\""),
                link("https://a.b/"),
                text("\" onclick=x>")
            ]
        );
    }

    #[test]
    fn links_keep_non_ascii_paths_and_text_around_them() {
        assert_eq!(
            linkify("학교 https://예시.kr/경로 보자"),
            vec![text("학교 "), link("https://예시.kr/경로"), text(" 보자")]
        );
    }

    #[test]
    fn pieces_always_join_back_to_the_original() {
        for raw in [
            "a https://b.c/d) e",
            "http://x http://y",
            "<img src=x onerror=\"window.__xss=1\"> https://ok.example/",
            "https://a.b/c...",
            "ends with http",
        ] {
            let joined: String = linkify(raw)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(s) | Piece::Link(s) => s,
                })
                .collect();
            assert_eq!(joined, raw);
        }
    }

    fn marks(text: &str, q: &str) -> Vec<(String, bool)> {
        highlight(text, q)
            .into_iter()
            .map(|m| (m.text, m.hit))
            .collect()
    }

    #[test]
    fn highlight_marks_the_syllables_a_choseong_query_stands_for() {
        assert_eq!(
            marks("내일 학교에서 보자", "ㅎㄱ"),
            vec![
                ("내일 ".into(), false),
                ("학교".into(), true),
                ("에서 보자".into(), false)
            ]
        );
        assert_eq!(
            marks("크크 ㅋㅋ", "ㅋㅋ"),
            vec![
                ("크크".into(), true),
                (" ".into(), false),
                ("ㅋㅋ".into(), true)
            ]
        );
        assert_eq!(marks("학교", "ㄱㅎ"), vec![("학교".into(), false)]);
    }

    #[test]
    fn highlight_finds_a_korean_word_with_a_particle_attached() {
        assert_eq!(
            marks("내일 학교에서 보자", "학교"),
            vec![
                ("내일 ".into(), false),
                ("학교".into(), true),
                ("에서 보자".into(), false)
            ]
        );
    }

    #[test]
    fn highlight_is_case_insensitive_and_marks_every_term_and_occurrence() {
        assert_eq!(
            marks("Rust and rust, TRUST", "rust"),
            vec![
                ("Rust".into(), true),
                (" and ".into(), false),
                ("rust".into(), true),
                (", T".into(), false),
                ("RUST".into(), true),
            ]
        );
        assert_eq!(
            marks("lunch at noon", "noon lunch"),
            vec![
                ("lunch".into(), true),
                (" at ".into(), false),
                ("noon".into(), true)
            ]
        );
    }

    #[test]
    fn highlight_without_a_match_or_query_is_the_plain_text() {
        assert_eq!(marks("hello", "zzz"), vec![("hello".into(), false)]);
        assert_eq!(marks("hello", "  "), vec![("hello".into(), false)]);
        assert_eq!(marks("", "a"), Vec::<(String, bool)>::new());
        // Query syntax characters are just characters.
        assert_eq!(
            marks("say \"hi\" *now*", "\"hi\""),
            vec![
                ("say ".into(), false),
                ("\"hi\"".into(), true),
                (" *now*".into(), false)
            ]
        );
    }

    #[test]
    fn emoji_only_messages_are_recognised() {
        assert!(is_emoji_only("👍"));
        assert!(is_emoji_only("🎉 🎉"));
        assert!(is_emoji_only("❤️"));
        assert!(is_emoji_only("👩‍💻"));
        assert!(is_emoji_only("👋🏽"));
        assert!(!is_emoji_only("ok 👍"));
        assert!(!is_emoji_only(""));
        assert!(!is_emoji_only("   "));
        assert!(!is_emoji_only("1"));
        assert!(!is_emoji_only("😀😀😀😀😀😀😀"));
    }

    #[test]
    fn picker_offers_only_emoji() {
        assert!(EMOJI.iter().all(|e| is_emoji_only(e)));
    }
}
