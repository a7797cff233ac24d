use super::*;

fn png() -> Vec<u8> {
    let mut bytes = PNG_SIGNATURE.to_vec();
    bytes.extend_from_slice(&[0, 0, 0, 13]);
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&[0; 17]);
    bytes
}

fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend_from_slice(b"JFIF\0");
    bytes.extend_from_slice(&[0; 20]);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// A RIFF/WEBP file of `len` bytes whose RIFF size says `declared_len` bytes.
fn webp_declaring(len: usize, declared_len: usize) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&((declared_len - 8) as u32).to_le_bytes());
    bytes.extend_from_slice(b"WEBPVP8 ");
    bytes.resize(len, 0);
    bytes
}

fn webp(len: usize) -> Vec<u8> {
    webp_declaring(len, len)
}

#[test]
fn png_jpeg_and_webp_are_recognised_by_their_first_bytes() {
    assert_eq!(check_image(&png()), Ok(ImageKind::Png));
    assert_eq!(check_image(&jpeg()), Ok(ImageKind::Jpeg));
    assert_eq!(check_image(&webp(64)), Ok(ImageKind::WebP));
    assert_eq!(ImageKind::Png.content_type(), "image/png");
    assert_eq!(ImageKind::Jpeg.content_type(), "image/jpeg");
    assert_eq!(ImageKind::WebP.content_type(), "image/webp");
}

#[test]
fn gif_svg_xml_html_and_text_are_refused() {
    let hostile: &[&[u8]] = &[
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"GIF87a\x01\x00\x01\x00",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        b"<?xml version=\"1.0\"?><svg/>",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"  \n\t<html><body onload=alert(1)>",
        b"\xEF\xBB\xBF<html>",
        b"hello",
        b"BM\x3a\x00\x00\x00",
        b"\x00\x00\x00\x0cjP  \r\n\x87\n",
    ];
    for bytes in hostile {
        assert_eq!(
            check_image(bytes),
            Err(ImageError::UnsupportedType),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_png_header_followed_by_html_is_still_only_a_png() {
    let mut bytes = PNG_SIGNATURE.to_vec();
    bytes.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    // Accepted as image/png: what makes it inert is how it is served.
    assert_eq!(check_image(&bytes), Ok(ImageKind::Png));
    assert_eq!(served_content_type(Some("image/png")), "image/png");
    let header = |name: &str| {
        SERVE_HEADERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    };
    assert_eq!(header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        header("content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert_eq!(header("cache-control"), Some("public, max-age=300"));
}

#[test]
fn truncated_signatures_are_refused() {
    for bytes in [
        &PNG_SIGNATURE[..7],
        &PNG_SIGNATURE[..1],
        &JPEG_SIGNATURE[..2],
        b"RIFF".as_slice(),
        b"RIFF\x04\x00\x00\x00WEB".as_slice(),
    ] {
        assert_eq!(
            check_image(bytes),
            Err(ImageError::UnsupportedType),
            "{bytes:?}"
        );
    }
}

#[test]
fn webp_needs_a_riff_size_that_matches_its_length() {
    assert_eq!(sniff(&webp(12)), Some(ImageKind::WebP));
    // Cut off: the header promises more than arrived.
    assert_eq!(sniff(&webp_declaring(100, 4096)), None);
    // Something appended after the RIFF chunk.
    assert_eq!(sniff(&webp_declaring(100, 60)), None);
    // A RIFF file of another kind.
    let mut wave = webp(64);
    wave[8..12].copy_from_slice(b"WAVE");
    assert_eq!(sniff(&wave), None);
    // A size field that would overflow.
    let mut huge = webp(64);
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(sniff(&huge), None);
}

#[test]
fn empty_is_refused() {
    assert_eq!(check_image(&[]), Err(ImageError::Empty));
}

#[test]
fn exactly_two_mib_is_accepted_and_one_byte_more_is_too_large() {
    let mut exact = png();
    exact.resize(MAX_AVATAR_BYTES, 0);
    assert_eq!(check_image(&exact), Ok(ImageKind::Png));
    let mut over = exact.clone();
    over.push(0);
    assert_eq!(check_image(&over), Err(ImageError::TooLarge));
    // Size is checked before type: a huge non-image is "too large", not "unsupported".
    assert_eq!(
        check_image(&vec![b'<'; MAX_AVATAR_BYTES + 1]),
        Err(ImageError::TooLarge)
    );
    assert_eq!(check_image(&webp(MAX_AVATAR_BYTES)), Ok(ImageKind::WebP));
}

#[test]
fn stored_content_types_are_served_only_if_safe() {
    assert_eq!(served_content_type(Some("image/jpeg")), "image/jpeg");
    assert_eq!(served_content_type(Some("image/webp")), "image/webp");
    for unsafe_type in [
        Some("text/html"),
        Some("image/svg+xml"),
        Some("image/png; charset=utf-8"),
        Some("IMAGE/PNG"),
        Some(""),
        None,
    ] {
        assert_eq!(
            served_content_type(unsafe_type),
            "application/octet-stream",
            "{unsafe_type:?}"
        );
    }
}

#[test]
fn every_upload_gets_a_new_version() {
    assert_eq!(next_version(1_000, None), 1_000);
    assert_eq!(next_version(1_000, Some(999)), 1_000);
    assert_eq!(next_version(1_000, Some(1_000)), 1_001, "same millisecond");
    assert_eq!(next_version(1_000, Some(5_000)), 5_001, "clock went back");
    assert_eq!(next_version(-5, None), 0);
    assert_eq!(
        avatar_path("user:0123abcd", 1_700_000_000_123),
        "/api/avatars/user:0123abcd?v=1700000000123"
    );
    assert_eq!(object_key("user:0123abcd"), "avatars/user:0123abcd");
}

#[test]
fn avatar_paths_name_only_plausible_user_ids() {
    assert_eq!(
        user_id_from_segment("user:0123456789abcdef0123456789abcdef").as_deref(),
        Some("user:0123456789abcdef0123456789abcdef")
    );
    assert_eq!(
        user_id_from_segment("user%3Aabc").as_deref(),
        Some("user:abc")
    );
    assert_eq!(
        user_id_from_segment("user%3aabc").as_deref(),
        Some("user:abc")
    );
    for bad in [
        "",
        ".",
        "..",
        "a b",
        "a%2Fb",
        "a/b",
        "<script>",
        "%00",
        &"x".repeat(201),
    ] {
        assert_eq!(user_id_from_segment(bad), None, "{bad:?}");
    }
}

#[test]
fn only_absolute_http_urls_are_fetched() {
    for good in [
        "https://lh3.googleusercontent.com/a/photo.jpg?sz=96",
        "http://127.0.0.1:9999/pic.png",
        " https://avatars.githubusercontent.com/u/1?v=4 ",
    ] {
        assert!(fetchable_picture_url(good).is_some(), "{good}");
    }
    for bad in [
        "",
        "/relative.png",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "https://user:pass@example.com/a.png",
        "https://user@example.com/a.png",
        "not a url",
        // Plain http only on loopback.
        "http://lh3.googleusercontent.com/a/photo.jpg",
        "http://10.0.0.5/pic.png",
    ] {
        assert!(fetchable_picture_url(bad).is_none(), "{bad}");
    }
}

#[test]
fn redirects_stay_on_the_same_host() {
    let from = worker::Url::parse("https://cdn.example/a/pic.png").unwrap();
    for (location, expected) in [
        ("/b/pic.png", Some("https://cdn.example/b/pic.png")),
        (
            "https://cdn.example/c.png?s=96",
            Some("https://cdn.example/c.png?s=96"),
        ),
        ("https://other.example/pic.png", None),
        ("http://cdn.example/pic.png", None),
        ("https://cdn.example:8443/pic.png", None),
        ("//169.254.169.254/latest", None),
        ("file:///etc/passwd", None),
    ] {
        let to = redirect_target(&from, location);
        assert_eq!(to.as_ref().map(|u| u.as_str()), expected, "{location}");
    }
}

#[test]
fn logged_urls_lose_their_query() {
    assert_eq!(
        loggable_url("https://cdn.example/p/1.png?sig=SECRET&token=T"),
        "https://cdn.example/p/1.png"
    );
    assert_eq!(loggable_url("::"), "(not a URL)");
}
