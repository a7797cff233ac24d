//! A small blocking HTTP client for API tests: any method, raw headers and body, no status
//! treated as an error, and helpers to read JSON and RFC 9457 problem bodies.

use std::sync::OnceLock;
use std::time::Duration;

use confab_protocol::{GuestResponse, Problem};
use serde::de::DeserializeOwned;

/// What came back, fully read.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// `content-type`, or "" when absent.
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// A reply from its parts, whichever client read them.
    pub fn new(status: u16, headers: &ureq::http::HeaderMap, body: String) -> Reply {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let content_type = headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        Reply {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as `T`; panics with the body when it does not parse.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {} body is not the expected JSON ({e}): {}",
                self.status, self.body
            )
        })
    }

    /// Asserts an `application/problem+json` answer with this status and consistent fields,
    /// and returns it.
    pub fn expect_problem(&self, status: u16) -> Problem {
        assert_eq!(
            self.status, status,
            "expected HTTP {status}, got {}: {}",
            self.status, self.body
        );
        assert_eq!(
            media_type(&self.content_type),
            "application/problem+json",
            "HTTP {status} must be problem+json, got content-type {:?}: {}",
            self.content_type,
            self.body
        );
        let problem: Problem = self.json();
        assert_eq!(
            problem.status, status,
            "problem.status disagrees with the HTTP status: {}",
            self.body
        );
        assert!(
            !problem.kind.is_empty(),
            "problem.type is empty: {}",
            self.body
        );
        assert!(
            !problem.title.is_empty(),
            "problem.title is empty: {}",
            self.body
        );
        assert!(
            !problem.detail.is_empty(),
            "problem.detail is empty: {}",
            self.body
        );
        problem
    }
}

/// `type/subtype` of a content type, lowercased, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .timeout_global(Some(Duration::from_secs(15)))
            .build()
            .into()
    })
}

/// Sends one request; panics only when no HTTP answer arrives at all.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    request_with(agent(), method, url, headers, body)
}

/// [`request`] through another agent (other redirect, header or timeout settings).
pub fn request_with(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let result = match body {
        Some(body) => agent.run(builder.body(body.to_owned()).expect("a valid request")),
        None => agent.run(builder.body(()).expect("a valid request")),
    };
    let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: no HTTP answer: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("{method} {url}: unreadable body: {e}"));
    Reply::new(status, &headers, body)
}

/// All `Set-Cookie` headers of a reply.
pub fn set_cookies(reply: &Reply) -> Vec<&str> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .collect()
}

pub fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", url, headers, None)
}

/// POST with an explicit content type (`None` sends none).
pub fn post(url: &str, content_type: Option<&str>, body: &str) -> Reply {
    match content_type {
        Some(ct) => request("POST", url, &[("content-type", ct)], Some(body)),
        None => request("POST", url, &[], Some(body)),
    }
}

/// A client address of its own (`CF-Connecting-IP`, from 198.18.0.0/15, the benchmarking
/// range), so requests standing for different people are counted apart by the worker's
/// per-address rate limits, as people on different networks are. (Cloudflare sets the header
/// itself; `wrangler dev` keeps one a client sends.)
pub fn some_client_address() -> String {
    let bits = uuid::Uuid::new_v4().as_u128();
    format!(
        "198.{}.{}.{}",
        18 + (bits & 1),
        (bits >> 8) as u8,
        (bits >> 16) as u8
    )
}

/// `POST /auth/guest {"name": name}` from an address of its own: the raw reply.
pub fn guest_reply(base_url: &str, name: &str) -> Reply {
    guest_reply_from(base_url, name, &some_client_address())
}

/// `POST /auth/guest {"name": name}` from client address `address`: the raw reply.
pub fn guest_reply_from(base_url: &str, name: &str, address: &str) -> Reply {
    let body = serde_json::json!({ "name": name }).to_string();
    request(
        "POST",
        &format!("{base_url}/auth/guest"),
        &[
            ("content-type", "application/json"),
            ("cf-connecting-ip", address),
        ],
        Some(&body),
    )
}

/// A guest access token for `name`; panics unless the worker issues one.
pub fn guest(base_url: &str, name: &str) -> GuestResponse {
    let reply = guest_reply(base_url, name);
    assert_eq!(
        reply.status, 200,
        "POST /auth/guest {name:?} failed: {}",
        reply.body
    );
    reply.json()
}
