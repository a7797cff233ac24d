use super::*;
use serde_json::json;

fn body(value: serde_json::Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[test]
fn token_response_of_each_provider_parses() {
    let google = body(
        json!({"access_token": "ya29.a0", "expires_in": 3599, "scope": "openid",
                             "token_type": "Bearer", "id_token": "h.c.s"}),
    );
    assert_eq!(
        parse_token_response(Provider::Google, 200, &google),
        Ok(Tokens {
            access_token: "ya29.a0".into(),
            id_token: Some("h.c.s".into())
        })
    );
    let github = body(json!({"access_token": "gho_x", "token_type": "bearer",
                             "scope": "read:user,user:email"}));
    assert!(parse_token_response(Provider::Github, 200, &github).is_ok());
    let kakao = body(
        json!({"token_type": "bearer", "access_token": "k", "expires_in": 21599,
                            "refresh_token": "r", "refresh_token_expires_in": 5183999}),
    );
    assert!(parse_token_response(Provider::Kakao, 200, &kakao).is_ok());
    let naver = body(json!({"access_token": "AAAA", "refresh_token": "c8ce",
                            "token_type": "bearer", "expires_in": "3600"}));
    assert_eq!(
        parse_token_response(Provider::Naver, 200, &naver).map(|t| t.access_token),
        Ok("AAAA".into())
    );
}

#[test]
fn errors_in_a_200_body_are_refusals_with_the_code_only() {
    let github = body(json!({"error": "bad_verification_code",
                             "error_description": "The code passed is incorrect or expired.",
                             "error_uri": "https://docs.github.com/..."}));
    let error = parse_token_response(Provider::Github, 200, &github).unwrap_err();
    assert_eq!(
        error,
        ProviderError::Refused {
            step: Step::Token,
            code: Some("bad_verification_code".into())
        }
    );
    assert!(!error.to_string().contains("incorrect"), "{error}");
    let naver = body(json!({"error": "invalid_request", "error_description": "no valid data"}));
    assert!(matches!(
        parse_token_response(Provider::Naver, 200, &naver),
        Err(ProviderError::Refused { .. })
    ));
}

#[test]
fn error_statuses_keep_only_a_plain_code() {
    let kakao = body(json!({"error": "invalid_grant", "error_description":
                            "authorization code not found for code=abc123secret",
                            "error_code": "KOE320"}));
    let error = parse_token_response(Provider::Kakao, 400, &kakao).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the token endpoint answered HTTP 400 (invalid_grant)"
    );
    assert!(!error.to_string().contains("abc123secret"));
    let html = b"<html>Bad gateway</html>";
    assert_eq!(
        parse_token_response(Provider::Google, 502, html),
        Err(ProviderError::Status {
            step: Step::Token,
            status: 502,
            code: None
        })
    );
}

#[test]
fn odd_token_responses_are_unexpected() {
    for (provider, value) in [
        (Provider::Github, json!({"token_type": "bearer"})),
        (
            Provider::Github,
            json!({"access_token": "", "token_type": "bearer"}),
        ),
        (
            Provider::Github,
            json!({"access_token": "x", "token_type": "mac"}),
        ),
        (
            Provider::Naver,
            json!({"access_token": "x", "expires_in": "soon"}),
        ),
        (
            Provider::Naver,
            json!({"access_token": "x", "expires_in": -5}),
        ),
        // Google without an ID token cannot say who signed in.
        (
            Provider::Google,
            json!({"access_token": "x", "token_type": "Bearer"}),
        ),
        (Provider::Kakao, json!(["access_token"])),
    ] {
        assert_eq!(
            parse_token_response(provider, 200, &body(value.clone())),
            Err(ProviderError::Unexpected(Step::Token)),
            "{value}"
        );
    }
    assert_eq!(
        parse_token_response(Provider::Github, 200, b"access_token=x&token_type=bearer"),
        Err(ProviderError::Unexpected(Step::Token))
    );
}

#[test]
fn tokens_do_not_show_in_debug_output() {
    let tokens = Tokens {
        access_token: "secret-access".into(),
        id_token: Some("secret-id".into()),
    };
    assert!(!format!("{tokens:?}").contains("secret"));
}

#[test]
fn github_profile_numeric_id_and_name_falls_back_to_login() {
    let user = body(
        json!({"login": "octocat", "id": 583231, "name": "The Octocat",
                           "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4"}),
    );
    assert_eq!(
        github_profile(200, &user),
        Ok(ProviderProfile {
            provider: Provider::Github,
            subject: "583231".into(),
            name: "The Octocat".into(),
            picture: Some("https://avatars.githubusercontent.com/u/583231?v=4".into()),
            email: None,
        })
    );
    let unnamed = body(json!({"login": "octocat", "id": 1, "name": null, "avatar_url": null}));
    let profile = github_profile(200, &unnamed).unwrap();
    assert_eq!(
        (profile.name.as_str(), profile.picture.as_deref()),
        ("octocat", None)
    );
    let blank = body(json!({"login": "octocat", "id": 1, "name": "   "}));
    assert_eq!(github_profile(200, &blank).unwrap().name, "octocat");
    assert_eq!(profile.account_name(), "github:1");
}

#[test]
fn github_id_must_be_a_number() {
    let user = body(json!({"login": "octocat", "id": "583231"}));
    assert_eq!(
        github_profile(200, &user),
        Err(ProviderError::Unexpected(Step::Userinfo))
    );
    let refused = body(json!({"message": "Bad credentials"}));
    assert_eq!(
        github_profile(401, &refused),
        Err(ProviderError::Status {
            step: Step::Userinfo,
            status: 401,
            code: None
        })
    );
}

#[test]
fn github_email_is_the_verified_primary_one() {
    let emails = body(json!([
        {"email": "old@example.com", "primary": false, "verified": true, "visibility": null},
        {"email": "unverified@example.com", "primary": true, "verified": false},
    ]));
    assert_eq!(github_primary_email(200, &emails), Ok(None));
    let emails = body(json!([
        {"email": "old@example.com", "primary": false, "verified": true},
        {"email": "octo@example.com", "primary": true, "verified": true, "visibility": "private"},
    ]));
    assert_eq!(
        github_primary_email(200, &emails),
        Ok(Some("octo@example.com".into()))
    );
    assert!(github_primary_email(404, b"{}").is_err());
}

#[test]
fn kakao_profile_numeric_id_nested_nickname_and_picture() {
    let me = body(json!({
        "id": 123456789,
        "connected_at": "2022-04-11T01:45:28Z",
        "properties": {"nickname": "props-name"},
        "kakao_account": {
            "profile_nickname_needs_agreement": false,
            "profile": {"nickname": "홍길동", "profile_image_url": "http://k.kakaocdn.net/img_640x640.jpg",
                        "thumbnail_image_url": "http://k.kakaocdn.net/img_110x110.jpg",
                        "is_default_image": false}
        }
    }));
    assert_eq!(
        kakao_profile(200, &me),
        Ok(ProviderProfile {
            provider: Provider::Kakao,
            subject: "123456789".into(),
            name: "홍길동".into(),
            picture: Some("http://k.kakaocdn.net/img_640x640.jpg".into()),
            email: None,
        })
    );
}

#[test]
fn kakao_falls_back_to_properties_and_skips_the_stock_image() {
    let me = body(json!({
        "id": 7,
        "properties": {"nickname": "props-name", "profile_image": "http://k.kakaocdn.net/x.jpg"},
        "kakao_account": {"profile": {"profile_image_url": "http://k.kakaocdn.net/default.jpg",
                                      "is_default_image": true}}
    }));
    let profile = kakao_profile(200, &me).unwrap();
    assert_eq!(
        (profile.name.as_str(), profile.picture),
        ("props-name", None)
    );
    let bare = body(json!({"id": 8}));
    assert_eq!(kakao_profile(200, &bare).unwrap().name, "Kakao user");
    let refused = body(json!({"msg": "this access token does not exist", "code": -401}));
    assert!(matches!(
        kakao_profile(401, &refused),
        Err(ProviderError::Status { status: 401, .. })
    ));
}

#[test]
fn naver_envelope_must_say_00() {
    let me = body(
        json!({"resultcode": "00", "message": "success", "response": {
        "id": "32742776", "nickname": "OpenAPI", "name": "오픈 API",
        "email": "openapi@naver.com", "profile_image": "https://ssl.pstatic.net/static/pwe/address/nodata_33x33.gif"}}),
    );
    assert_eq!(
        naver_profile(200, &me),
        Ok(ProviderProfile {
            provider: Provider::Naver,
            subject: "32742776".into(),
            name: "OpenAPI".into(),
            picture: Some("https://ssl.pstatic.net/static/pwe/address/nodata_33x33.gif".into()),
            email: None,
        })
    );
    let failed = body(json!({"resultcode": "024", "message": "Authentication failed"}));
    assert_eq!(
        naver_profile(200, &failed),
        Err(ProviderError::Refused {
            step: Step::Userinfo,
            code: Some("024".into())
        })
    );
    let no_body = body(json!({"resultcode": "00", "message": "success"}));
    assert_eq!(
        naver_profile(200, &no_body),
        Err(ProviderError::Unexpected(Step::Userinfo))
    );
    let named_only = body(json!({"resultcode": "00", "response": {"id": "1", "name": "오픈"}}));
    assert_eq!(naver_profile(200, &named_only).unwrap().name, "오픈");
}

#[test]
fn subject_with_control_characters_or_too_long_is_refused() {
    for id in ["", "a\nb", "a b", &"x".repeat(MAX_SUBJECT_BYTES + 1)] {
        let me = body(json!({"resultcode": "00", "response": {"id": id}}));
        assert_eq!(
            naver_profile(200, &me),
            Err(ProviderError::Unexpected(Step::Userinfo)),
            "{id:?}"
        );
    }
}

fn id_claims() -> IdClaims {
    IdClaims {
        sub: "1101".into(),
        name: Some("Token Name".into()),
        picture: Some("https://lh3.googleusercontent.com/a/token".into()),
    }
}

#[test]
fn google_userinfo_must_be_the_id_tokens_account() {
    let info = body(
        json!({"sub": "1101", "name": "Mina Kim", "given_name": "Mina",
                           "picture": "https://lh3.googleusercontent.com/a/info",
                           "email": "mina@example.com", "email_verified": true}),
    );
    assert_eq!(
        google_profile(&id_claims(), 200, &info),
        Ok(ProviderProfile {
            provider: Provider::Google,
            subject: "1101".into(),
            name: "Mina Kim".into(),
            picture: Some("https://lh3.googleusercontent.com/a/info".into()),
            email: Some("mina@example.com".into()),
        })
    );
    let other = body(json!({"sub": "999", "name": "Someone Else"}));
    assert_eq!(
        google_profile(&id_claims(), 200, &other),
        Err(ProviderError::SubjectMismatch)
    );
    let sparse = body(json!({"sub": "1101", "email": "x@example.com", "email_verified": false}));
    let profile = google_profile(&id_claims(), 200, &sparse).unwrap();
    assert_eq!(profile.name, "Token Name");
    assert_eq!(
        profile.picture.as_deref(),
        Some("https://lh3.googleusercontent.com/a/token")
    );
    assert_eq!(profile.email, None);
}

#[test]
fn names_are_cleaned_cut_to_forty_characters_or_replaced() {
    let long = "가".repeat(60);
    let user = body(json!({"login": "x", "id": 1, "name": long}));
    assert_eq!(
        github_profile(200, &user).unwrap().name.chars().count(),
        DisplayName::MAX_CHARS
    );
    let user = body(json!({"login": "x", "id": 1, "name": "Mina\r\nKim\u{7}"}));
    assert_eq!(github_profile(200, &user).unwrap().name, "Mina  Kim");
    let user = body(json!({"resultcode": "00", "response": {"id": "1", "nickname": "\u{0}\u{1}"}}));
    assert_eq!(naver_profile(200, &user).unwrap().name, "Naver user");
    let user = body(json!({"login": "x", "id": 1, "name": "\u{202E}nimda\u{200B}"}));
    assert_eq!(github_profile(200, &user).unwrap().name, "nimda");
    let user = body(json!({"login": "mina", "id": 1, "name": "\u{3164}"}));
    assert_eq!(
        github_profile(200, &user).unwrap().name,
        "mina",
        "blank: the login"
    );
}

#[test]
fn only_http_pictures_are_kept() {
    for bad in [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "/relative.png",
        "file:///etc/passwd",
    ] {
        let user = body(json!({"login": "x", "id": 1, "avatar_url": bad}));
        assert_eq!(github_profile(200, &user).unwrap().picture, None, "{bad}");
    }
}
