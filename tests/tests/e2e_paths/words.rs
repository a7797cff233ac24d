//! Words left in the other language: what a Korean page still says in English, or an
//! English page in Korean, beyond names and the words each language keeps.

use fantoccini::Client;

/// Every piece of text a person sees or hears on the page: visible text, and the labels,
/// placeholders and titles of elements (chat message text aside: people write what they
/// write).
const WORDS_JS: &str = r#"
const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const texts = [];
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) {
  const e = n.parentElement;
  if (!e || e.closest('script, style, noscript, option, .msg .text, .results .text')) continue;
  if (n.textContent.trim() && shown(e)) texts.push(n.textContent.trim());
}
for (const e of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
  for (const a of ['aria-label', 'placeholder', 'title']) {
    const v = e.getAttribute(a);
    if (v) texts.push(v);
  }
}
return texts;
"#;

/// Words the Korean page may show in Latin letters: names (the product's, the sign-in
/// providers', "TURN", a protocol's, picture formats), units, keys as Korean keyboards print
/// them, the language menu's "English", and the example room name (room names are Latin
/// letters, digits, `_` and `-`).
const LATIN_IN_KOREAN: [&str; 16] = [
    "Confab", "GitHub", "Google", "Kakao", "Naver", "TURN", "PNG", "JPEG", "WebP", "kbit/s", "MB",
    "ms", "Shift", "Enter", "English", "standup",
];

/// Words the English page may show in Hangul: the language menu's "한국어", and the search
/// box's hint that it finds Korean ("한글, 초성 (ㅎㄱ)").
const HANGUL_IN_ENGLISH: [&str; 4] = ["한국어", "한글", "초성", "ㅎㄱ"];

/// Whether `text` holds two Latin letters in a row (an English word).
fn latin_word(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .any(|w| w.iter().all(char::is_ascii_alphabetic))
}

/// Whether `text` holds Hangul (syllables or letters).
fn hangul(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{3131}'..='\u{318E}'))
}

/// Fails if the page, in `lang`, shows a word of the other language other than `allowed` (a
/// person's or room's name, say) and the words that language keeps ([`LATIN_IN_KOREAN`],
/// [`HANGUL_IN_ENGLISH`]).
pub async fn nothing_left_untranslated(
    client: &Client,
    page: &str,
    lang: &str,
    allowed: &[&str],
) -> Result<(), String> {
    let (foreign, kept): (fn(&str) -> bool, &[&str]) = match lang {
        "ko" => (latin_word, &LATIN_IN_KOREAN),
        _ => (hangul, &HANGUL_IN_ENGLISH),
    };
    let texts = client
        .execute(WORDS_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    let texts: Vec<String> = serde_json::from_value(texts).map_err(|e| e.to_string())?;
    let left: Vec<&String> = texts
        .iter()
        .filter(|text| {
            let mut rest = text.to_string();
            for word in allowed.iter().chain(kept) {
                rest = rest.replace(word, "");
            }
            foreign(&rest)
        })
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("{page} in {lang:?} still shows {left:?}"))
    }
}
