use super::*;

#[test]
fn korean_runs_are_indexed_as_bigrams_closed_by_their_last_character() {
    assert_eq!(
        index_terms("내일 학교에서 보자"),
        "내일 일 ㄴㅇ ㅇ 학교 교에 에서 서 ㅎㄱ ㄱㅇ ㅇㅅ ㅅ 보자 자 ㅂㅈ ㅈ"
    );
    assert_eq!(index_terms("나"), "나 ㄴ");
    assert_eq!(index_terms("ㅋㅋㅋ"), "ㅋㅋ ㅋㅋ ㅋ");
}

#[test]
fn korean_query_is_a_phrase_of_bigrams_or_a_prefix_for_one_character() {
    assert_eq!(match_expression("학교").as_deref(), Some("\"학교\""));
    assert_eq!(
        match_expression("학교에서").as_deref(),
        Some("\"학교 교에 에서\"")
    );
    assert_eq!(match_expression("학").as_deref(), Some("\"학\"*"));
}

#[test]
fn every_bigram_of_a_query_run_is_among_the_terms_of_a_text_containing_it() {
    // Substring semantics: the query's bigrams appear, in order and adjacent, in the text's terms.
    let terms = index_terms("내일 학교에서 보자");
    let terms: Vec<&str> = terms.split(' ').collect();
    for query in ["학교", "교에서", "학교에서", "내일", "보자"] {
        let phrase = match_expression(query).unwrap();
        let wanted: Vec<&str> = phrase.trim_matches('"').split(' ').collect();
        assert!(
            terms.windows(wanted.len()).any(|w| w == wanted.as_slice()),
            "{query}: {wanted:?} not adjacent in {terms:?}"
        );
    }
}

#[test]
fn latin_words_are_lowercased_and_queried_as_prefixes() {
    assert_eq!(index_terms("Meeting at 3PM, OK?"), "meeting at 3pm ok");
    assert_eq!(match_expression("MEET").as_deref(), Some("\"meet\"*"));
    assert_eq!(
        match_expression("meet Tomorrow").as_deref(),
        Some("\"meet\"* AND \"tomorrow\"*")
    );
}

#[test]
fn several_terms_are_all_required() {
    assert_eq!(
        match_expression("학교 내일").as_deref(),
        Some("\"학교\" AND \"내일\"")
    );
}

#[test]
fn mixed_korean_and_latin_split_at_the_script_boundary() {
    assert_eq!(
        index_terms("COVID19백신 예약"),
        "covid19 백신 신 ㅂㅅ ㅅ 예약 약 ㅇㅇ ㅇ"
    );
    assert_eq!(
        match_expression("covid백신").as_deref(),
        Some("\"covid\"* AND \"백신\"")
    );
    assert_eq!(index_terms("3시에 zoom"), "3 시에 에 ㅅㅇ ㅇ zoom");
}

#[test]
fn japanese_and_chinese_runs_use_bigrams_too() {
    assert_eq!(index_terms("東京タワー"), "東京 京タ タワ ワー ー");
    assert_eq!(match_expression("京タ").as_deref(), Some("\"京タ\""));
}

#[test]
fn decomposed_hangul_is_composed_like_typed_hangul() {
    // 학교 as conjoining jamo (NFD), as some systems send it.
    let decomposed = "\u{1112}\u{1161}\u{11A8}\u{1100}\u{116D}";
    assert_eq!(index_terms(decomposed), index_terms("학교"));
    assert_eq!(match_expression(decomposed), match_expression("학교"));
}

#[test]
fn fullwidth_latin_and_combining_accents_stay_in_words() {
    assert_eq!(index_terms("ＺＯＯＭ　회의"), "zoom 회의 의 ㅎㅇ ㅇ");
    assert_eq!(index_terms("cafe\u{301} crème"), "cafe\u{301} crème");
}

#[test]
fn punctuation_symbols_and_emoji_only_separate() {
    assert_eq!(index_terms("hi!!! 🎉🎉 <b>bold</b>"), "hi b bold b");
    assert_eq!(index_terms("🎉 ... ?!"), "");
    assert_eq!(index_terms("학\u{200B}교"), "학 ㅎ 교 ㄱ");
}

#[test]
fn hostile_queries_become_plain_quoted_terms_or_nothing() {
    let cases: &[(&str, Option<&str>)] = &[
        ("\"", None),
        ("*", None),
        ("NEAR(", Some("\"near\"*")),
        ("-", None),
        ("a-b", Some("\"a\"* AND \"b\"*")),
        ("OR", Some("\"or\"*")),
        ("학교 OR", Some("\"학교\" AND \"or\"*")),
        ("AND", Some("\"and\"*")),
        ("a:b", Some("\"a\"* AND \"b\"*")),
        ("(", None),
        ("\"unterminated", Some("\"unterminated\"*")),
        (
            "^col:x + NOT y",
            Some("\"col\"* AND \"x\"* AND \"not\"* AND \"y\"*"),
        ),
        ("!@#$%^&*()_+-=[]{};':\",./<>?\\|`~", None),
        ("", None),
        ("   ", None),
    ];
    for (query, expected) in cases {
        assert_eq!(match_expression(query).as_deref(), *expected, "{query:?}");
    }
}

#[test]
fn every_clause_is_a_quoted_string_whatever_the_input() {
    // Whatever the input, the expression is `"…"` or `"…"*` clauses joined by ` AND `, with no
    // quote inside a clause: the only FTS5 syntax in it is ours.
    let inputs = [
        "\"\"\"".to_owned(),
        "x\"y".to_owned(),
        "ab\"cd* NEAR(e f, 2) {col}: ^g".to_owned(),
        "가\"나".to_owned(),
        "a".repeat(200),
        "가".repeat(200),
        "a b c d e f g h i j k l m n o p q r s t u v w x y z".to_owned(),
    ];
    for input in &inputs {
        let Some(expression) = match_expression(input) else {
            continue;
        };
        let clauses: Vec<&str> = expression.split(" AND ").collect();
        assert!(clauses.len() <= MAX_QUERY_CLAUSES, "{input:?}");
        for clause in clauses {
            let body = clause.strip_suffix('*').unwrap_or(clause);
            assert!(
                body.len() >= 2 && body.starts_with('"') && body.ends_with('"'),
                "{input:?}: clause {clause:?}"
            );
            assert!(
                !body[1..body.len() - 1].contains('"'),
                "{input:?}: {clause:?}"
            );
        }
    }
}

#[test]
fn long_words_are_cut_the_same_way_in_text_and_query() {
    let long = "x".repeat(500);
    assert_eq!(index_terms(&long).chars().count(), MAX_WORD_CHARS);
    assert_eq!(
        match_expression(&long),
        Some(format!("\"{}\"*", "x".repeat(MAX_WORD_CHARS)))
    );
}

#[test]
fn repeated_query_terms_are_asked_once() {
    assert_eq!(match_expression("go go GO").as_deref(), Some("\"go\"*"));
}

#[test]
fn quote_doubles_inner_quotes() {
    assert_eq!(quote("a\"b"), "\"a\"\"b\"");
}

#[test]
fn hangul_syllables_are_indexed_a_second_time_as_their_initial_consonants() {
    assert_eq!(index_terms("학교"), "학교 교 ㅎㄱ ㄱ");
    // Every initial, doubled consonants included, in syllable order.
    let terms = index_terms("가까나다따라마바빠사싸아자짜차카타파하");
    // 18 bigrams and the closing syllable, then the initials' 18 bigrams and closing initial.
    let initials: Vec<&str> = terms.split(' ').skip(19).collect();
    let spelled: String = initials.iter().filter_map(|t| t.chars().next()).collect();
    assert_eq!(spelled, "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ");
    assert_eq!(choseong('힣'), Some('ㅎ'));
    assert_eq!(choseong('각'), Some('ㄱ'));
    assert_eq!(choseong('ㄱ'), None);
    assert_eq!(choseong('a'), None);
    // Only the syllables of a mixed run get initials; typed jamo and kanji keep their own terms.
    assert_eq!(index_terms("학교ㅋㅋ"), "학교 교ㅋ ㅋㅋ ㅋ ㅎㄱ ㄱ");
    assert_eq!(index_terms("東京역"), "東京 京역 역 ㅇ");
}

/// Whether the FTS5 phrase or prefix `clause` would match the space-separated `terms`.
fn clause_matches(terms: &str, clause: &str) -> bool {
    let terms: Vec<&str> = terms.split(' ').collect();
    if let Some(prefix) = clause.strip_suffix('*') {
        let prefix = prefix.trim_matches('"');
        return terms.iter().any(|t| t.starts_with(prefix));
    }
    let wanted: Vec<&str> = clause.trim_matches('"').split(' ').collect();
    terms.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

fn finds(text: &str, query: &str) -> bool {
    let terms = index_terms(text);
    match_expression(query).is_some_and(|expression| {
        expression
            .split(" AND ")
            .all(|clause| clause_matches(&terms, clause))
    })
}

#[test]
fn initial_consonant_queries_find_the_words_they_abbreviate() {
    assert!(finds("내일 학교에서 보자", "ㅎㄱ"));
    assert!(finds("내일 학교에서 보자", "ㅎㄱㅇㅅ"));
    assert!(finds("학교", "ㅎㄱ"));
    assert!(
        finds("내일 학교에서 보자", "ㅎㄱ 내일"),
        "mixed clauses AND"
    );
    assert!(
        !finds("학교에 가자", "ㅎㄱ 내일"),
        "every clause is required"
    );
    assert!(!finds("내일 학교에서 보자", "ㄱㅎ"), "order matters");
    assert!(!finds("학 교", "ㅎㄱ"), "initials never span two words");
    assert!(!finds("내일 학교", "ㅇㅎ"), "nor the gap between words");
    assert!(
        finds("크크크", "ㅋㅋ"),
        "initials and typed jamo share the index"
    );
    assert!(finds("ㅋㅋㅋ", "ㅋㅋ"));
    assert!(
        !finds("학교", "학ㄱ"),
        "syllables and initials do not mix in one run"
    );
}

#[test]
fn initials_typed_as_conjoining_jamo_are_the_compatibility_jamo() {
    // ᄒᄀ (U+1112 U+1100), as a decomposing system may send a lone initial.
    assert_eq!(
        match_expression("\u{1112}\u{1100}"),
        match_expression("ㅎㄱ")
    );
    assert!(finds("학교", "\u{1112}\u{1100}"));
}

#[test]
fn hostile_hangul_stays_bounded_and_quoted() {
    // A message of 4000 syllables: terms grow by its initials, never beyond twice its bigrams.
    let text = "가".repeat(4000);
    let terms = index_terms(&text);
    assert_eq!(terms.split(' ').count(), 2 * 4000);
    // Lone vowels, finals and old jamo get no initials and break nothing.
    assert_eq!(index_terms("ㅏㅓ\u{11A8}"), "ㅏㅓ ㅓ\u{11A8} \u{11A8}");
    for query in ["ㅎ\"ㄱ", "ㅎㄱ*", "ㅎㄱ NEAR(ㅇ", "\u{1112}\"\u{1100}"] {
        let expression = match_expression(query).unwrap_or_default();
        for clause in expression.split(" AND ").filter(|c| !c.is_empty()) {
            let body = clause.strip_suffix('*').unwrap_or(clause);
            assert!(
                !body[1..body.len() - 1].contains('"'),
                "{query:?}: {clause:?}"
            );
        }
    }
}
