//! Search: Korean with particles, 초성 (initial consonants), English prefixes, mixed text, hostile queries, order, scope.

use confab_protocol::limits;
use confab_tests::wrangler::Wrangler;
use confab_tests::ws_client::Client;

use super::{history, join_as, new_room, open, post_many, say, search, search_texts, seqs};

const CORPUS: &[&str] = &[
    "내일 학교에서 보자",
    "학교 끝나고 도서관 갈래?",
    "대학원 세미나 자료",
    "오늘 회의는 취소됐어",
    "Meeting moved to 3PM",
    "let's MEET at the café tomorrow",
    "zoom 회의 링크 보내줘",
    "COVID19백신 예약했어",
    "the NEAR(x) \"quoted\" a:b (AND) OR -minus * star",
    "🎉🎉🎉",
];

/// A room holding [`CORPUS`] and a member to search it.
async fn corpus_room(w: &Wrangler) -> Client {
    let room = new_room();
    let texts: Vec<String> = CORPUS.iter().map(|t| t.to_string()).collect();
    post_many(w, &room, &texts).await;
    join_as(w, &room, "Searcher").await.0
}

pub async fn korean_word_is_found_with_its_particle_attached() {
    let w = open();
    let mut c = corpus_room(&w).await;
    assert_eq!(
        search_texts(&mut c, "학교").await,
        ["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"]
    );
    assert_eq!(
        search_texts(&mut c, "학교에서").await,
        ["내일 학교에서 보자"]
    );
    assert_eq!(
        search_texts(&mut c, "도서관").await,
        ["학교 끝나고 도서관 갈래?"]
    );
    assert_eq!(
        search_texts(&mut c, "회의").await,
        ["zoom 회의 링크 보내줘", "오늘 회의는 취소됐어"]
    );
    assert_eq!(search_texts(&mut c, "대학").await, ["대학원 세미나 자료"]);
    assert_eq!(
        search_texts(&mut c, "학교 자료").await,
        Vec::<String>::new()
    );
    assert_eq!(search_texts(&mut c, "세미").await, ["대학원 세미나 자료"]);
    c.close().await;
}

pub async fn initial_consonants_find_the_words_they_abbreviate() {
    let w = open();
    let mut c = corpus_room(&w).await;
    assert_eq!(
        search_texts(&mut c, "ㅎㄱ").await,
        ["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"]
    );
    assert_eq!(
        search_texts(&mut c, "ㅎㄱㅇㅅ").await,
        ["내일 학교에서 보자"]
    );
    assert_eq!(
        search_texts(&mut c, "ㅎㄱ 내일").await,
        ["내일 학교에서 보자"],
        "initials AND words"
    );
    // 회의 and 회의는, and inside a word too: 했어 in 예약했어, 학원 in 대학원.
    assert_eq!(
        search_texts(&mut c, "ㅎㅇ").await,
        [
            "COVID19백신 예약했어",
            "zoom 회의 링크 보내줘",
            "오늘 회의는 취소됐어",
            "대학원 세미나 자료"
        ]
    );
    assert_eq!(search_texts(&mut c, "ㄱㅎ").await, Vec::<String>::new());
    assert_eq!(search_texts(&mut c, "학ㄱ").await, Vec::<String>::new());
    c.close().await;
}

pub async fn every_term_must_match() {
    let w = open();
    let mut c = corpus_room(&w).await;
    assert_eq!(
        search_texts(&mut c, "학교 내일").await,
        ["내일 학교에서 보자"]
    );
    assert_eq!(
        search_texts(&mut c, "내일 도서관").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search_texts(&mut c, "meet tomorrow").await,
        ["let's MEET at the café tomorrow"]
    );
    assert_eq!(
        search_texts(&mut c, "meet 3pm").await,
        ["Meeting moved to 3PM"]
    );
    c.close().await;
}

pub async fn english_is_case_insensitive_with_word_prefixes() {
    let w = open();
    let mut c = corpus_room(&w).await;
    let both = ["let's MEET at the café tomorrow", "Meeting moved to 3PM"];
    assert_eq!(search_texts(&mut c, "meet").await, both);
    assert_eq!(search_texts(&mut c, "MEET").await, both);
    assert_eq!(
        search_texts(&mut c, "Meeting").await,
        ["Meeting moved to 3PM"]
    );
    assert_eq!(
        search_texts(&mut c, "caf").await,
        ["let's MEET at the café tomorrow"]
    );
    assert_eq!(search_texts(&mut c, "eeting").await, Vec::<String>::new());
    c.close().await;
}

pub async fn mixed_korean_and_english() {
    let w = open();
    let mut c = corpus_room(&w).await;
    assert_eq!(
        search_texts(&mut c, "zoom 회의").await,
        ["zoom 회의 링크 보내줘"]
    );
    assert_eq!(
        search_texts(&mut c, "ZOOM링크").await,
        ["zoom 회의 링크 보내줘"]
    );
    assert_eq!(
        search_texts(&mut c, "covid19 백신").await,
        ["COVID19백신 예약했어"]
    );
    assert_eq!(
        search_texts(&mut c, "covid백신").await,
        ["COVID19백신 예약했어"]
    );
    c.close().await;
}

pub async fn hostile_queries_are_searched_for_not_errors() {
    let w = open();
    let mut c = corpus_room(&w).await;
    let operators = "the NEAR(x) \"quoted\" a:b (AND) OR -minus * star";
    let long: String = "학교 \"* NEAR( OR -"
        .chars()
        .cycle()
        .take(limits::MAX_SEARCH_CHARS)
        .collect();
    assert_eq!(long.chars().count(), 200);
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("\"", vec![]),
        ("*", vec![]),
        ("NEAR(", vec![operators]),
        ("NEAR(x)", vec![operators]),
        ("NEAR(x, 5)", vec![]),
        ("-", vec![]),
        ("-minus", vec![operators]),
        ("OR", vec![operators]),
        ("AND", vec![operators]),
        ("a:b", vec![operators]),
        ("(", vec![]),
        ("\"quoted", vec![operators]),
        ("학교 OR", vec![]),
        (
            "\"학교\"",
            vec!["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"],
        ),
        ("!?.,;:'\"()[]{}<>@#$%^&*-+=|\\/~`", vec![]),
        ("🎉", vec![]),
        (&long, vec![]),
    ];
    for (q, expected) in &cases {
        let found = search_texts(&mut c, q).await;
        assert_eq!(&found, expected, "query {q:?}");
    }
    c.ping().await;
    c.close().await;
}

pub async fn results_are_newest_first_and_limited() {
    let w = open();
    let room = new_room();
    let texts: Vec<String> = (1..=30).map(|i| format!("standup note {i}")).collect();
    post_many(&w, &room, &texts).await;
    let (mut c, _, _) = join_as(&w, &room, "Ann").await;
    assert_eq!(
        seqs(&search(&mut c, "standup", Some(3)).await),
        [30, 29, 28]
    );
    assert_eq!(
        search(&mut c, "note", None).await.len(),
        20,
        "default limit"
    );
    let all = search(&mut c, "standup", Some(50)).await;
    assert_eq!(seqs(&all), (1..=30).rev().collect::<Vec<u64>>());
    c.close().await;
}

pub async fn rooms_never_see_each_others_messages() {
    let w = open();
    let (room_a, room_b) = (new_room(), new_room());
    let (mut a, _, _) = join_as(&w, &room_a, "Ann").await;
    let (mut b, _, _) = join_as(&w, &room_b, "Ben").await;
    say(&mut a, "secret apple 비밀 사과").await;
    say(&mut b, "public apple 공개 사과").await;
    assert_eq!(
        search_texts(&mut b, "apple").await,
        ["public apple 공개 사과"]
    );
    assert_eq!(
        search_texts(&mut b, "사과").await,
        ["public apple 공개 사과"]
    );
    assert_eq!(search_texts(&mut b, "secret").await, Vec::<String>::new());
    assert_eq!(
        search_texts(&mut a, "apple").await,
        ["secret apple 비밀 사과"]
    );
    let (page, _) = history(&mut b, None, None).await;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].seq, 1, "each room numbers its own messages");
    a.barrier().await;
    a.close().await;
    b.close().await;
}
