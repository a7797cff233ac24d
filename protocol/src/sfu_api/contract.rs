//! The contract: every field these types send is one Cloudflare's API description has, in the
//! schema where it has it, and every field it requires is always sent. The names come from
//! `protocol/cloudflare-sfu-fields.json` (copied from Cloudflare's OpenAPI description).

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::*;

fn schemas() -> Map<String, Value> {
    let text = include_str!("../../cloudflare-sfu-fields.json");
    let fields: Value = serde_json::from_str(text).expect("cloudflare-fields.json is JSON");
    fields["schemas"].as_object().expect("schemas").clone()
}

/// Every key of `value` (and of its nested objects) is in `schema`, and every required one is
/// there.
fn conforms(schemas: &Map<String, Value>, schema: &str, value: &Value, path: &str) {
    let definition = &schemas[schema];
    let names = |key: &str| -> Vec<String> {
        definition[key]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{key}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{path} should be an object ({schema}): {value}"));
    for required in names("required") {
        assert!(
            object.contains_key(&required),
            "{path} lacks {required} ({schema})"
        );
    }
    let properties = names("properties");
    for (key, field) in object {
        assert!(
            properties.contains(key),
            "{path}.{key} is not a field of Cloudflare's {schema}"
        );
        if let Some(nested) = definition["nested"][key].as_str() {
            match field {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        conforms(schemas, nested, item, &format!("{path}.{key}[{i}]"));
                    }
                }
                _ => conforms(schemas, nested, field, &format!("{path}.{key}")),
            }
        }
    }
}

fn check<T: Serialize>(schema: &str, value: &T) {
    let value = serde_json::to_value(value).unwrap();
    conforms(&schemas(), schema, &value, schema);
}

fn offer() -> SessionDescription {
    SessionDescription {
        kind: SdpType::Offer,
        sdp: "v=0".into(),
    }
}

/// A track with every field this side knows set.
fn full_track() -> TrackObject {
    TrackObject {
        location: Some(Location::Remote),
        mid: Some("3".into()),
        session_id: Some("e017a2629c754fedc1f7d8587e06d126".into()),
        track_name: Some("camera".into()),
        simulcast: Some(SimulcastPreference {
            preferred_rid: Some("h".into()),
            priority_ordering: Some("asciibetical".into()),
            rid_not_available: Some("asciibetical".into()),
        }),
        error_code: None,
        error_description: None,
    }
}

fn failed_track() -> TrackObject {
    track_error(full_track(), "not_found_track_error", "gone")
}

#[test]
fn requests_use_only_cloudflare_s_fields() {
    check(
        "TracksRequest",
        &TracksRequest {
            session_description: Some(offer()),
            tracks: vec![full_track()],
        },
    );
    check(
        "RenegotiateRequest",
        &RenegotiateRequest {
            session_description: offer(),
        },
    );
    check(
        "UpdateTracksRequest",
        &UpdateTracksRequest {
            tracks: vec![full_track()],
        },
    );
    check(
        "CloseTracksRequest",
        &CloseTracksRequest {
            tracks: vec![CloseTrackObject { mid: "3".into() }],
            session_description: Some(offer()),
            force: false,
        },
    );
}

#[test]
fn answers_use_only_cloudflare_s_fields() {
    check(
        "NewSessionResponse",
        &NewSessionResponse {
            session_id: "e017a2629c754fedc1f7d8587e06d126".into(),
        },
    );
    check(
        "TracksResponse",
        &TracksResponse {
            requires_immediate_renegotiation: true,
            session_description: Some(offer()),
            tracks: vec![full_track(), failed_track()],
        },
    );
    check("RenegotiateResponse", &RenegotiateResponse {});
    check(
        "UpdateTracksResponse",
        &UpdateTracksResponse {
            requires_immediate_renegotiation: false,
            tracks: vec![failed_track()],
        },
    );
    let closed = TrackObject {
        mid: Some("3".into()),
        ..TrackObject::default()
    };
    check(
        "CloseTracksResponse",
        &CloseTracksResponse {
            requires_immediate_renegotiation: false,
            session_description: Some(offer()),
            tracks: vec![
                closed.clone(),
                track_error(closed, "close_track_error", "gone"),
            ],
        },
    );
    check(
        "Error",
        &SfuError {
            error_code: "not_found".into(),
            error_description: "no such session".into(),
        },
    );
}

#[test]
fn cloudflare_s_examples_are_read() {
    // From the description's examples: a pull with simulcast preferences.
    let pull: TracksRequest = serde_json::from_value(json!({"tracks": [{
        "location": "remote", "sessionId": "2a45361d5fd7cc14eface0587c276c94",
        "trackName": "simulcast-video-track",
        "simulcast": {"preferredRid": "h", "priorityOrdering": "asciibetical",
                      "ridNotAvailable": "asciibetical"}
    }]}))
    .unwrap();
    assert_eq!(
        pull.tracks[0]
            .simulcast
            .as_ref()
            .unwrap()
            .preferred_rid
            .as_deref(),
        Some("h")
    );
    let close: CloseTracksRequest =
        serde_json::from_value(json!({"tracks": [{"mid": "7"}], "force": true})).unwrap();
    assert!(close.force);
    assert!(
        serde_json::from_value::<CloseTracksRequest>(json!({"tracks": [{"mid": "7"}]})).is_err()
    );
}

#[test]
fn a_field_cloudflare_does_not_have_is_caught() {
    let schemas = schemas();
    let result = std::panic::catch_unwind(|| {
        conforms(
            &schemas,
            "RenegotiateRequest",
            &json!({"answer": "v=0"}),
            "probe",
        )
    });
    assert!(
        result.is_err(),
        "the check must refuse a field Cloudflare does not have"
    );
}
