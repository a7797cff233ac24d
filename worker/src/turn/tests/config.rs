//! Reading the relay variables: which mode, what each needs, bounds, and the transport
//! policy.

use super::*;

#[test]
fn nothing_set_means_no_relay() {
    assert_eq!(parse(&[]), Ok(Relay::Off));
    assert_eq!(
        parse(&[("TURN_URLS", " "), ("TURN_SECRET", ""), ("TURN_KEY_ID", "")]),
        Ok(Relay::Off)
    );
}

#[test]
fn coturn_mode_needs_urls_and_a_real_secret() {
    assert_eq!(
        parse(&[("TURN_URLS", "turn:turn.example")]),
        Err(TurnConfigError::MissingSecret)
    );
    assert_eq!(
        parse(&[("TURN_SECRET", SECRET)]),
        Err(TurnConfigError::MissingUrls)
    );
    assert_eq!(
        parse(&[("TURN_URLS", "turn:turn.example"), ("TURN_SECRET", "short")]),
        Err(TurnConfigError::WeakSecret)
    );
    let c = coturn();
    assert_eq!(c.secret, SECRET);
    assert_eq!(c.ttl, DEFAULT_TTL_SECONDS);
}

#[test]
fn coturn_urls_must_be_turn_urls() {
    for bad in [
        "stun:turn.example",
        "https://turn.example",
        "turn:",
        "turn:?transport=udp",
        "turn::3478",
        "turn.example:3478",
    ] {
        assert_eq!(
            parse(&[("TURN_URLS", bad), ("TURN_SECRET", SECRET)]),
            Err(TurnConfigError::BadTurnUrl(bad.to_owned())),
            "{bad}"
        );
    }
    let urls = "turn:a.example turns:b.example:443?transport=tcp,TURN:[2001:db8::1]:3478";
    match parse(&[("TURN_URLS", urls), ("TURN_SECRET", SECRET)]) {
        Ok(Relay::Coturn(c)) => assert_eq!(c.urls.len(), 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ttl_defaults_to_a_day_and_stays_within_bounds() {
    let ttl = |v: &str| {
        parse(&[
            ("TURN_URLS", "turn:turn.example"),
            ("TURN_SECRET", SECRET),
            ("TURN_TTL", v),
        ])
        .map(|relay| match relay {
            Relay::Coturn(c) => c.ttl,
            other => panic!("{other:?}"),
        })
    };
    assert_eq!(ttl(""), Ok(7_200));
    assert_eq!(ttl(" 3600 "), Ok(3600));
    assert_eq!(ttl("60"), Ok(60));
    assert_eq!(ttl("172800"), Ok(MAX_TTL_SECONDS));
    for bad in ["59", "0", "-1", "172801", "1.5", "day", "99999999999"] {
        assert_eq!(ttl(bad), Err(TurnConfigError::Ttl(bad.to_owned())), "{bad}");
    }
}

#[test]
fn cloudflare_mode_needs_both_key_id_and_token() {
    assert_eq!(
        parse(&[("TURN_KEY_ID", "abc")]),
        Err(TurnConfigError::MissingApiToken)
    );
    assert_eq!(
        parse(&[("TURN_KEY_API_TOKEN", "t")]),
        Err(TurnConfigError::MissingKeyId)
    );
    match cloudflare_relay("") {
        Relay::Cloudflare(c) => {
            assert_eq!(
                c.api_url.as_str(),
                "https://rtc.live.cloudflare.com/v1/turn/keys/k3y_ID-1/credentials/generate-ice-servers"
            );
            assert_eq!(c.ttl, DEFAULT_TTL_SECONDS);
            assert_eq!(c.key_id, "k3y_ID-1");
        }
        other => panic!("{other:?}"),
    }
    assert!(DEFAULT_API_URL.contains("{key_id}"));
}

#[test]
fn cloudflare_key_id_cannot_bend_the_url() {
    for bad in ["../x", "a/b", "a?b", "a#b", "a b", "ключ"] {
        assert_eq!(
            parse(&[("TURN_KEY_ID", bad), ("TURN_KEY_API_TOKEN", "t")]),
            Err(TurnConfigError::BadKeyId(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn cloudflare_api_url_override_is_https_or_loopback_http() {
    let with = |url: &str| {
        parse(&[
            ("TURN_KEY_ID", "kid"),
            ("TURN_KEY_API_TOKEN", "t"),
            ("TURN_API_URL", url),
        ])
    };
    match with("http://127.0.0.1:9999/v1/turn/keys/{key_id}/credentials/generate-ice-servers") {
        Ok(Relay::Cloudflare(c)) => assert_eq!(
            c.api_url.as_str(),
            "http://127.0.0.1:9999/v1/turn/keys/kid/credentials/generate-ice-servers"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        with("https://turn-api.example/generate"),
        Ok(Relay::Cloudflare(_))
    ));
    for bad in [
        "http://turn-api.example/{key_id}",
        "ftp://127.0.0.1/x",
        "https://user:pw@turn-api.example/x",
        "not a url",
    ] {
        assert_eq!(
            with(bad),
            Err(TurnConfigError::BadApiUrl(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn one_relay_mode_at_a_time() {
    assert_eq!(
        parse(&[
            ("TURN_URLS", "turn:turn.example"),
            ("TURN_SECRET", SECRET),
            ("TURN_KEY_ID", "kid"),
            ("TURN_KEY_API_TOKEN", "t"),
        ]),
        Err(TurnConfigError::BothModes)
    );
}

fn policy(pairs: &[(&str, &str)]) -> Result<IceTransportPolicy, TurnConfigError> {
    let raw = raw(pairs);
    transport_policy(&raw, &Relay::parse(&raw)?)
}

#[test]
fn transport_policy_is_all_unless_set_to_relay() {
    assert_eq!(policy(&[]), Ok(ALL));
    assert_eq!(policy(&[("ICE_TRANSPORT_POLICY", " ")]), Ok(ALL));
    assert_eq!(policy(&[("ICE_TRANSPORT_POLICY", "all")]), Ok(ALL));
    // `all` needs no relay; `relay` works with either relay mode, in any case.
    let coturn = [("TURN_URLS", "turn:turn.example"), ("TURN_SECRET", SECRET)];
    let cloudflare = [("TURN_KEY_ID", "kid"), ("TURN_KEY_API_TOKEN", "t")];
    for relay in [&coturn[..], &cloudflare[..]] {
        for value in ["relay", " Relay ", "RELAY"] {
            let pairs = [relay, &[("ICE_TRANSPORT_POLICY", value)][..]].concat();
            assert_eq!(policy(&pairs), Ok(RELAY), "{value:?} with {relay:?}");
        }
        let pairs = [relay, &[("ICE_TRANSPORT_POLICY", "ALL")][..]].concat();
        assert_eq!(policy(&pairs), Ok(ALL));
    }
}

#[test]
fn transport_policy_refuses_other_values_and_relay_without_turn() {
    let coturn = [("TURN_URLS", "turn:turn.example"), ("TURN_SECRET", SECRET)];
    for bad in ["none", "public", "relay-only", "all,relay", "1", "true"] {
        let pairs = [&coturn[..], &[("ICE_TRANSPORT_POLICY", bad)][..]].concat();
        assert_eq!(
            policy(&pairs),
            Err(TurnConfigError::BadTransportPolicy(bad.to_owned())),
            "{bad}"
        );
    }
    assert_eq!(
        policy(&[("ICE_TRANSPORT_POLICY", "relay")]),
        Err(TurnConfigError::RelayPolicyWithoutTurn)
    );
    // Half a relay is its own error, reported first.
    assert_eq!(
        policy(&[("ICE_TRANSPORT_POLICY", "relay"), ("TURN_URLS", "turn:t")]),
        Err(TurnConfigError::MissingSecret)
    );
    // Both messages name the variable, so the log line points at the fix.
    for error in [
        TurnConfigError::BadTransportPolicy("none".into()),
        TurnConfigError::RelayPolicyWithoutTurn,
    ] {
        assert!(
            error.to_string().contains("ICE_TRANSPORT_POLICY"),
            "{error}"
        );
    }
}

#[test]
fn secrets_never_show_in_debug_output() {
    let debug = format!("{:?} {:?}", coturn(), cloudflare_relay(""));
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains("cf-api-token-secret"), "{debug}");
    let Relay::Cloudflare(c) = cloudflare_relay("") else {
        unreachable!()
    };
    let call = format!("{:?}", c.call());
    assert!(!call.contains("cf-api-token-secret"), "{call}");
}
