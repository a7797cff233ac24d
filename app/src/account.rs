//! Sign-in and profile rules the app applies before it talks to the server: sign-in link
//! addresses, which avatar paths may become an `<img src>`, and friendly checks on a chosen
//! image file. Plain Rust, tested on the host; the server stays the authority.

use crate::i18n::Texts;

use confab_protocol::{ProviderInfo, ProvidersResponse};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// The largest profile image the server accepts (2 MiB).
pub const AVATAR_MAX_BYTES: f64 = 2.0 * 1024.0 * 1024.0;
/// Image types the server accepts (it checks the bytes; this is for the file picker).
pub const AVATAR_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];
/// The only place avatar images come from: our own worker.
pub const AVATAR_PREFIX: &str = "/api/avatars/";
/// The server refuses longer `return_to` values.
const MAX_RETURN_TO: usize = 512;

/// The providers of a `GET /auth/providers` answer whose id can safely become part of a link (`[a-z0-9_-]`, as the server names them).
pub fn usable(providers: &ProvidersResponse) -> impl Iterator<Item = &ProviderInfo> {
    providers.providers.iter().filter(|p| {
        !p.id.is_empty()
            && p.id.len() <= 32
            && p.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    })
}

/// Characters escaped inside the `return_to` query value: everything that would end or confuse
/// the value (`&`, `#`, `+`, `=`, `%`, spaces, quotes, non-ASCII). Path slashes stay readable.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b'<')
    .add(b'>')
    .add(b'\'')
    .add(b'`')
    .add(b'\\')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `path` if it is a same-origin relative path the server will accept as `return_to`, else `/`.
pub fn safe_return_to(path: &str) -> &str {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= MAX_RETURN_TO;
    if ok {
        path
    } else {
        "/"
    }
}

/// The sign-in link for `provider` that brings the browser back to `return_to` afterwards.
pub fn login_href(provider: &str, return_to: &str) -> String {
    let encoded = utf8_percent_encode(safe_return_to(return_to), QUERY_VALUE);
    format!("/auth/{provider}/login?return_to={encoded}")
}

/// `path` if it may be used as an image source: one of our worker's avatar paths, nothing else
/// (no other origin, no `javascript:` or `data:`, no climbing out with `..`).
pub fn safe_avatar(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(AVATAR_PREFIX)?;
    let ok = !rest.is_empty()
        && path.len() <= 512
        && !rest.contains("..")
        && rest.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'.' | b':' | b'?' | b'=' | b'&' | b'%')
        });
    ok.then_some(path)
}

/// An avatar path from the server, kept only if it is safe to show.
pub fn avatar_src(avatar: Option<&str>) -> Option<String> {
    avatar.and_then(safe_avatar).map(str::to_owned)
}

/// Why a chosen profile image is not uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvatarProblem {
    Empty,
    /// Its size in tenths of a MB (MiB).
    TooLarge {
        tenths_mb: u32,
    },
    WrongType,
}

impl AvatarProblem {
    pub fn message(self, t: &Texts) -> String {
        match self {
            AvatarProblem::Empty => t.file_empty.into(),
            AvatarProblem::TooLarge { tenths_mb } => (t.image_too_large)(tenths_mb),
            AvatarProblem::WrongType => t.wrong_image_type.into(),
        }
    }
}

/// Checks a chosen profile image before uploading it: `size` in bytes, `mime` as the browser
/// reports it (empty when it does not know; the server then decides from the bytes).
pub fn check_avatar_file(size: f64, mime: &str) -> Result<(), AvatarProblem> {
    if size <= 0.0 {
        return Err(AvatarProblem::Empty);
    }
    if size > AVATAR_MAX_BYTES {
        let tenths_mb = (size * 10.0 / (1024.0 * 1024.0)).round() as u32;
        return Err(AvatarProblem::TooLarge { tenths_mb });
    }
    if !mime.is_empty() && !AVATAR_TYPES.contains(&mime) {
        return Err(AvatarProblem::WrongType);
    }
    Ok(())
}

/// What a tile without video or picture shows for `name`: up to two initials ("Mina Kim" →
/// "MK"), or for a Korean name its given name, as Korean apps show it ("홍길동" → "길동",
/// "홍 길동" → "길동", "남궁민수" → "민수", "민아" → "민아").
pub fn initials(name: &str) -> String {
    if let Some(given) = korean_given_name(name) {
        return given;
    }
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// For a name written only in Hangul syllables: its last word, cut to its last two syllables
/// (a family name comes first and is one syllable, or two as in 남궁).
fn korean_given_name(name: &str) -> Option<String> {
    let hangul = |c: char| confab_protocol::hangul::SYLLABLES.contains(&(c as u32));
    let mut words = name.split_whitespace().peekable();
    words.peek()?;
    if !name.chars().all(|c| c.is_whitespace() || hangul(c)) {
        return None;
    }
    let last: Vec<char> = words.last()?.chars().collect();
    Some(last[last.len().saturating_sub(2)..].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_links_carry_the_path_to_come_back_to() {
        assert_eq!(login_href("google", "/"), "/auth/google/login?return_to=/");
        assert_eq!(
            login_href("kakao", "/r/standup-2_x"),
            "/auth/kakao/login?return_to=/r/standup-2_x"
        );
        assert_eq!(
            login_href("github", "/r/a?x=1&y=2#top"),
            "/auth/github/login?return_to=/r/a?x%3D1%26y%3D2%23top"
        );
        assert_eq!(
            login_href("naver", "/r/한"),
            "/auth/naver/login?return_to=/r/%ED%95%9C"
        );
    }

    #[test]
    fn return_to_never_leaves_the_site() {
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/r/a\\b",
            "/r/\u{7}",
            "r/relative",
        ] {
            assert_eq!(safe_return_to(bad), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(&format!("/{}", "a".repeat(600))), "/");
        assert_eq!(safe_return_to("/profile"), "/profile");
    }

    #[test]
    fn only_our_avatar_paths_become_image_sources() {
        let ok = "/api/avatars/user:0123456789abcdef0123456789abcdef?v=3";
        assert_eq!(safe_avatar(ok), Some(ok));
        for bad in [
            "https://evil.example/a.png",
            "//evil.example/api/avatars/x",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "/api/avatars/",
            "/api/avatars/../me",
            "/api/avatars/x/../../auth/logout",
            "/api/avatars/x y",
            "/api/avatars/x\"onerror=\"alert(1)",
            "/API/avatars/x",
            " /api/avatars/x",
        ] {
            assert_eq!(safe_avatar(bad), None, "{bad:?}");
        }
        assert_eq!(avatar_src(Some(ok)).as_deref(), Some(ok));
        assert_eq!(avatar_src(Some("https://x/y.png")), None);
        assert_eq!(avatar_src(None), None);
    }

    #[test]
    fn image_files_are_checked_before_upload() {
        assert!(check_avatar_file(10_000.0, "image/png").is_ok());
        assert!(check_avatar_file(AVATAR_MAX_BYTES, "image/jpeg").is_ok());
        assert!(check_avatar_file(1.0, "image/webp").is_ok());
        assert!(
            check_avatar_file(1.0, "").is_ok(),
            "unknown type: the server decides"
        );
        let too_big = check_avatar_file(AVATAR_MAX_BYTES + 1.0, "image/png").unwrap_err();
        assert_eq!(too_big, AvatarProblem::TooLarge { tenths_mb: 20 });
        let en = crate::i18n::Lang::En.texts();
        assert!(too_big.message(en).contains("2 MB"));
        let three = check_avatar_file(3.0 * 1024.0 * 1024.0, "image/png").unwrap_err();
        assert!(three.message(en).contains("3.0 MB"));
        let ko = crate::i18n::Lang::Ko.texts();
        assert!(three.message(ko).contains("3.0MB"), "{}", three.message(ko));
        assert_eq!(
            check_avatar_file(0.0, "image/png"),
            Err(AvatarProblem::Empty)
        );
        assert_eq!(
            check_avatar_file(100.0, "image/gif"),
            Err(AvatarProblem::WrongType)
        );
        assert_eq!(
            check_avatar_file(100.0, "image/svg+xml"),
            Err(AvatarProblem::WrongType)
        );
    }

    #[test]
    fn providers_answer_is_read_and_odd_ids_are_skipped() {
        let json = r#"{"providers":[{"id":"google","name":"Google"},{"id":"x\"><script>","name":"Bad"},
            {"id":"naver","name":"Naver"}],"guests":false}"#;
        let providers: ProvidersResponse = serde_json::from_str(json).unwrap();
        assert!(!providers.guests);
        let ids: Vec<&str> = usable(&providers).map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["google", "naver"]);
        let empty: ProvidersResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ProvidersResponse::default());
        assert!(empty.guests);
    }

    #[test]
    fn initials_take_the_first_letter_of_two_words() {
        assert_eq!(initials("Mina Kim"), "MK");
        assert_eq!(initials("  ana  "), "A");
        assert_eq!(initials("Jean Luc Picard"), "JL");
        assert_eq!(initials(""), "");
        assert_eq!(initials("   "), "");
    }

    #[test]
    fn a_korean_name_shows_its_given_name() {
        assert_eq!(initials("홍길동"), "길동");
        assert_eq!(initials("홍 길동"), "길동");
        assert_eq!(initials("남궁민수"), "민수");
        assert_eq!(initials("민아"), "민아");
        assert_eq!(initials("김"), "김");
        assert_eq!(initials(" 김  민 "), "민");
        // Not only Hangul syllables: the initials rule.
        assert_eq!(initials("Ana 김"), "A김");
        assert_eq!(initials("ㅋㅋ"), "ㅋ");
        assert_eq!(initials("홍길동2"), "홍");
    }
}
