use super::*;

#[test]
fn the_first_visit_follows_the_browsers_languages() {
    assert_eq!(Lang::from_browser(["ko-KR", "en-US"]), Lang::Ko);
    assert_eq!(Lang::from_browser(["ko"]), Lang::Ko);
    assert_eq!(Lang::from_browser(["KO_kr"]), Lang::Ko);
    assert_eq!(Lang::from_browser(["en-US", "ko-KR"]), Lang::En);
    // The first language we speak decides; others are skipped.
    assert_eq!(Lang::from_browser(["ja-JP", "ko-KR", "en"]), Lang::Ko);
    assert_eq!(Lang::from_browser(["fr-FR", "de"]), Lang::En);
    assert_eq!(Lang::from_browser([]), Lang::En);
    assert_eq!(
        Lang::from_browser(["kok-IN"]),
        Lang::En,
        "Konkani is not Korean"
    );
}

#[test]
fn codes_round_trip() {
    for lang in Lang::ALL {
        assert_eq!(Lang::from_code(lang.code()), Some(lang));
    }
    assert_eq!(Lang::from_code("ko-KR"), None);
    assert_eq!(Lang::from_code(""), None);
}

#[test]
fn the_two_tables_are_two_languages() {
    let (ko, en) = (Lang::Ko.texts(), Lang::En.texts());
    for (k, e) in [
        (ko.join, en.join),
        (ko.leave, en.leave),
        (ko.mute, en.mute),
        (ko.chat, en.chat),
        (ko.send, en.send),
        (ko.loading, en.loading),
        (ko.ended_left, en.ended_left),
    ] {
        assert_ne!(k, e);
        assert!(
            k.chars().any(|c| ('가'..='힣').contains(&c)),
            "{k:?} is not Korean"
        );
        assert!(
            !e.chars().any(|c| ('가'..='힣').contains(&c)),
            "{e:?} is Korean"
        );
    }
    assert_eq!(
        (ko.reconnecting)(2, 15),
        "연결이 끊어졌습니다. 다시 연결하는 중… (2번째 시도, 1.5초 후)"
    );
    assert_eq!(
        (en.reconnecting)(1, 5),
        "Connection lost. Reconnecting… (attempt 1, in 0.5 s)"
    );
    assert_eq!(
        (en.reconnecting)(6, 100),
        "Connection lost. Reconnecting… (attempt 6, in 10.0 s)"
    );
    assert_eq!(
        (en.quality_label)("good", Some(10), 0, 400, true),
        "Connection: good (RTT 10 ms, loss 0 %, 400 kbit/s, relayed)"
    );
    assert_eq!(
        (ko.quality_label)("좋음", None, 3, 80, false),
        "연결 상태: 좋음 (지연 ?, 손실 3%, 80kbit/s)"
    );
    assert_eq!(
        (en.image_too_large)(31),
        "That image is 3.1 MB; profile images can be at most 2 MB."
    );
}

#[test]
fn every_error_frame_code_has_words_in_both() {
    use confab_protocol::ErrorCode::*;
    for code in [
        BadJson,
        UnknownType,
        TooLarge,
        UnknownPeer,
        RateLimited,
        InvalidField,
        BinaryFrame,
        RoomFull,
        SignInRequired,
        Unauthorized,
        Forbidden,
        SeatLimit,
        Removed,
        Locked,
        Denied,
        Unsupported,
        Internal,
    ] {
        let (ko, en) = (
            (Lang::Ko.texts().frame_error)(code),
            (Lang::En.texts().frame_error)(code),
        );
        assert!(!ko.is_empty() && !en.is_empty() && ko != en, "{code:?}");
    }
}

#[test]
fn server_errors_with_a_known_status_never_show_the_servers_english() {
    let ko = Lang::Ko.texts();
    let server = |status| ApiError::Server {
        status,
        detail: "display name must be 1–40 characters".into(),
    };
    for status in [400, 401, 403, 404, 413, 415, 429, 500, 502, 503] {
        let said = api_error(ko, &server(status));
        assert!(!said.contains("display name"), "{status}: {said}");
        assert!(
            said.chars().any(|c| ('가'..='힣').contains(&c)),
            "{status}: {said}"
        );
    }
    // An unknown status: the server's detail is all we have.
    assert_eq!(
        api_error(ko, &server(418)),
        "display name must be 1–40 characters"
    );
    assert_eq!(
        api_error(ko, &ApiError::Network("TypeError".into())),
        ko.network_error
    );
    assert_eq!(
        api_error(ko, &ApiError::Decode("eof".into())),
        ko.unexpected_answer
    );
}

#[test]
fn a_said_message_is_worded_in_the_language_it_is_shown_in() {
    let said = Said::new(|t| (t.no_matches)("학교"));
    assert_eq!(said.in_(Lang::En.texts()), "No messages match “학교”.");
    assert_eq!(said.in_(Lang::Ko.texts()), "“학교” 검색 결과가 없습니다.");
    assert_eq!(Said::text(|t| t.leave).in_(Lang::Ko.texts()), "나가기");
}

#[test]
fn the_korean_moderation_words_have_no_latin_words() {
    let (ko, en) = (Lang::Ko.texts(), Lang::En.texts());
    let fixed = |t: &'static Texts| {
        [
            t.ended_removed,
            t.ended_for_all,
            t.ended_locked,
            t.mute_request,
            t.remove,
            t.remove_period,
            t.ban_meeting,
            t.ban_hour,
            t.ban_forever,
            t.remove_now,
            t.cancel,
            t.meeting_controls,
            t.lock_room,
            t.capacity,
            t.end_for_all,
            t.end_for_all_confirm,
            t.room_locked,
            t.room_locked_hint,
            (t.heard_locked)(true),
            (t.heard_locked)(false),
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([
            (t.mute_request_of)("민아"),
            (t.remove_of)("민아"),
            (t.remove_now_of)("민아"),
            (t.muted_by)(Some("민아")),
            (t.muted_by)(None),
            (t.capacity_option)(5),
        ])
        .collect::<Vec<_>>()
    };
    for (k, e) in fixed(ko).into_iter().zip(fixed(en)) {
        assert_ne!(k, e);
        assert!(!k.chars().any(|c| c.is_ascii_alphabetic()), "{k:?}");
        assert!(k.chars().any(|c| ('가'..='힣').contains(&c)), "{k:?}");
    }
    assert_eq!(
        (en.muted_by)(Some("Mina")),
        "Mina turned your microphone off"
    );
    assert_eq!((en.mute_request_of)("Ben"), "Turn off Ben's microphone");
}

#[test]
fn the_history_words_differ_by_choice_and_the_korean_have_no_latin_words() {
    use confab_protocol::HistoryVisibility::{Everyone, SinceJoined};
    let (ko, en) = (Lang::Ko.texts(), Lang::En.texts());
    let words = |t: &'static Texts| {
        let mut words = vec![t.chat_history];
        for history in [Everyone, SinceJoined] {
            words.extend([
                (t.history_option)(history),
                (t.history_note)(history),
                (t.heard_history)(history),
            ]);
        }
        words
    };
    for (k, e) in words(ko).into_iter().zip(words(en)) {
        assert_ne!(k, e);
        assert!(!k.chars().any(|c| c.is_ascii_alphabetic()), "{k:?}");
        assert!(k.chars().any(|c| ('가'..='힣').contains(&c)), "{k:?}");
    }
    for t in [ko, en] {
        assert_ne!(
            (t.history_option)(Everyone),
            (t.history_option)(SinceJoined)
        );
        assert_ne!((t.history_note)(Everyone), (t.history_note)(SinceJoined));
        assert_ne!((t.heard_history)(Everyone), (t.heard_history)(SinceJoined));
    }
    assert_eq!(
        (en.history_option)(Everyone),
        "Chat history: everyone who joins"
    );
    assert_eq!(
        (en.history_note)(SinceJoined),
        "History: you see messages from when you first joined"
    );
}

#[test]
fn the_lobby_words_are_in_both_and_the_korean_have_no_latin_words() {
    let (ko, en) = (Lang::Ko.texts(), Lang::En.texts());
    let words = |t: &'static Texts| {
        [
            t.ended_denied,
            t.lobby_waiting,
            t.waiting_room,
            t.room_lobby,
            t.room_lobby_hint,
            t.lobby_requests,
            t.admit,
            t.deny,
            t.admit_all,
            t.trust,
            t.trusted,
            t.heard_admitted,
            (t.heard_lobby)(true),
            (t.heard_lobby)(false),
            (t.frame_error)(confab_protocol::ErrorCode::Denied),
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([
            (t.lobby_count)(1),
            (t.lobby_count)(3),
            (t.admit_of)("민아"),
            (t.deny_of)("민아"),
            (t.trust_of)("민아"),
            (t.heard_waiting)("회의"),
            (t.heard_wants_to_join)("민아", 0),
            (t.heard_wants_to_join)("민아", 2),
        ])
        .collect::<Vec<_>>()
    };
    for (k, e) in words(ko).into_iter().zip(words(en)) {
        assert_ne!(k, e);
        assert!(!k.chars().any(|c| c.is_ascii_alphabetic()), "{k:?}");
        assert!(k.chars().any(|c| ('가'..='힣').contains(&c)), "{k:?}");
        let without_names = e.replace("민아", "").replace("회의", "");
        assert!(
            !without_names.chars().any(|c| ('가'..='힣').contains(&c)),
            "{e:?}"
        );
    }
    assert_eq!((en.heard_wants_to_join)("Ben", 0), "Ben wants to join");
    assert_eq!(
        (en.heard_wants_to_join)("Ben", 2),
        "Ben and 2 more want to join"
    );
    assert_eq!((en.lobby_count)(1), "1 person wants to join");
    assert_eq!((en.lobby_count)(2), "2 people want to join");
    assert!(en
        .lobby_waiting
        .starts_with("Waiting for a host to let you in"));
}
