//! Sign-in at the HTTP level, the way a browser does it but one step at a time: a cookie jar
//! per host, no redirect followed unless asked, and the provider's consent given by posting its
//! forms (the stand-ins of [`crate::providers`]; Google's is oidc-provider's login and consent
//! pages).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use confab_protocol::GuestResponse;
use serde_json::Value;
use url::Url;

pub use crate::http::set_cookies;
use crate::http::Reply;
use crate::providers::{Provider, Providers};
use crate::token::{sign, sign_ed25519};
use crate::wrangler::{JwtAlg, JwtKey};

/// The login cookie over plain http (`__Host-confab_oauth` over https).
pub const LOGIN_COOKIE: &str = "confab_oauth";
/// The refresh (session) cookie over plain http.
pub const SESSION_COOKIE: &str = "confab_rt";

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // No User-Agent unless a request sets one (GitHub's stand-in checks for it).
            .user_agent(ureq::config::AutoHeaderValue::None)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into()
    })
}

/// One request, no redirect followed, no automatic User-Agent; panics only when no HTTP answer arrives at all.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    crate::http::request_with(agent(), method, url, headers, body)
}

/// The `Set-Cookie` header for cookie `name`, if the reply sets (or clears) it.
pub fn set_cookie<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    set_cookies(reply)
        .into_iter()
        .find(|c| c.split('=').next().map(str::trim) == Some(name))
}

/// The value a `Set-Cookie` header gives its cookie (empty when it clears it).
pub fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.trim())
        .unwrap_or_default()
}

/// A `Set-Cookie` header's attributes, lowercased (`httponly`, `max-age=600`, ...).
pub fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// Checks a `Set-Cookie` header served over plain http: it has every attribute in `wanted`
/// (lowercase, as `httponly` or `max-age=600`), and neither `Secure` nor a `Domain`. `who`
/// starts the failure messages.
pub fn assert_plain_http_cookie(set_cookie: &str, wanted: &[&str], who: &str) {
    let attrs = cookie_attributes(set_cookie);
    for want in wanted {
        assert!(
            attrs.iter().any(|a| a == want),
            "{who}: {want} missing: {set_cookie}"
        );
    }
    assert!(
        !attrs
            .iter()
            .any(|a| a == "secure" || a.starts_with("domain")),
        "{who}: plain http: no Secure, no Domain: {set_cookie}"
    );
}

/// Whether a `Set-Cookie` header deletes its cookie.
pub fn clears(set_cookie: &str) -> bool {
    let attrs = cookie_attributes(set_cookie);
    cookie_value(set_cookie).is_empty()
        || attrs.iter().any(|a| a == "max-age=0")
        || attrs
            .iter()
            .any(|a| a.starts_with("expires=") && a.contains("1970"))
}

/// A browser's cookies and nothing else: one jar per host (ports share cookies, as in browsers),
/// on a network of its own (its `CF-Connecting-IP`, so the worker's per-address limits count
/// each simulated person apart, as they would people at different places).
#[derive(Debug, Clone)]
pub struct Browser {
    jars: HashMap<String, BTreeMap<String, String>>,
    address: String,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            jars: HashMap::new(),
            address: crate::http::some_client_address(),
        }
    }
}

impl Browser {
    pub fn new() -> Browser {
        Browser::default()
    }

    /// Sends a request with this host's cookies and keeps the cookies it sets.
    pub fn send(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let host = host_of(url);
        let cookie = self.cookie_header(&host);
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("cf-connecting-ip", &self.address));
        if let Some(cookie) = &cookie {
            all.push(("cookie", cookie));
        }
        let reply = send(method, url, &all, body);
        let jar = self.jars.entry(host).or_default();
        for header in set_cookies(&reply) {
            let Some((name, _)) = header.split(';').next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            if clears(header) {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), cookie_value(header).to_owned());
            }
        }
        reply
    }

    pub fn get(&mut self, url: &str) -> Reply {
        self.send("GET", url, &[], None)
    }

    /// A form POST.
    pub fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            "POST",
            url,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(&body),
        )
    }

    /// The cookie `name` this browser holds for the host of `url`.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        self.jars.get(&host_of(url))?.get(name).cloned()
    }

    /// Sets (or with `None` removes) a cookie for the host of `url`, as a hostile page could not
    /// but a test can.
    pub fn set_cookie(&mut self, url: &str, name: &str, value: Option<&str>) {
        let jar = self.jars.entry(host_of(url)).or_default();
        match value {
            Some(v) => jar.insert(name.to_owned(), v.to_owned()),
            None => jar.remove(name),
        };
    }

    fn cookie_header(&self, host: &str) -> Option<String> {
        let jar = self.jars.get(host).filter(|j| !j.is_empty())?;
        Some(
            jar.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The `Location` of a redirect, resolved against the request URL.
pub fn location(request_url: &str, reply: &Reply) -> Option<String> {
    let raw = reply.header("location")?;
    Url::parse(request_url)
        .ok()?
        .join(raw)
        .ok()
        .map(String::from)
}

/// The query parameters of a URL.
pub fn query(url: &str) -> BTreeMap<String, String> {
    Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// `GET /auth/<provider>/login[?return_to=..]` in `browser`.
pub fn start_login(
    browser: &mut Browser,
    base_url: &str,
    provider: &str,
    return_to: Option<&str>,
) -> Reply {
    let mut url = Url::parse(&format!("{base_url}/auth/{provider}/login")).expect("a URL");
    if let Some(return_to) = return_to {
        url.query_pairs_mut().append_pair("return_to", return_to);
    }
    browser.get(url.as_str())
}

/// What the person does on the provider's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

/// Goes through the provider's pages from `authorize_url` as account `login` and returns the
/// URL the provider sends the browser back to (the worker's callback), without following it.
pub fn consent(
    browser: &mut Browser,
    providers: &Providers,
    provider: Provider,
    authorize_url: &str,
    login: &str,
    decision: Decision,
) -> Result<String, String> {
    let origin = providers.origin(provider).to_owned();
    let mut url = authorize_url.to_owned();
    let mut reply = browser.get(&url);
    // At most: authorize → login page → resume → consent page → resume → callback.
    for _ in 0..12 {
        if let Some(next) = location(&url, &reply) {
            if !next.starts_with(&origin) {
                return Ok(next);
            }
            url = next;
            reply = browser.get(&url);
            continue;
        }
        if reply.status != 200 {
            return Err(format!(
                "{provider}: HTTP {} at {url}: {}",
                reply.status, reply.body
            ));
        }
        let body = reply.body.clone();
        reply = match provider {
            Provider::Google => {
                let action = attribute_after(&body, "<form", "action")
                    .ok_or_else(|| format!("google: no form at {url}: {body}"))?;
                if decision == Decision::Deny {
                    browser.get(&format!("{action}/abort"))
                } else if body.contains(r#"name="prompt" value="login""#) {
                    browser.post_form(
                        &action,
                        &[("prompt", "login"), ("login", login), ("password", "any")],
                    )
                } else if body.contains(r#"name="prompt" value="consent""#) {
                    browser.post_form(&action, &[("prompt", "consent")])
                } else {
                    return Err(format!("google: unexpected page at {url}: {body}"));
                }
            }
            _ => {
                let request = attribute_after(&body, r#"name="request""#, "value")
                    .ok_or_else(|| format!("{provider}: no consent form at {url}: {body}"))?;
                let decision = match decision {
                    Decision::Approve => "approve",
                    Decision::Deny => "deny",
                };
                let consent_url = format!("{origin}/{}/consent", provider.id());
                url = consent_url.clone();
                browser.post_form(
                    &consent_url,
                    &[
                        ("request", &request),
                        ("login", login),
                        ("decision", decision),
                    ],
                )
            }
        };
        if let Some(next) = location(&url, &reply) {
            if !next.starts_with(&origin) {
                return Ok(next);
            }
        }
    }
    Err(format!("{provider}: too many steps before the callback"))
}

/// The value of `attr="..."` in the first tag at or after `marker`.
fn attribute_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = if marker.starts_with('<') {
        at
    } else {
        html[..at].rfind('<')?
    };
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let needle = format!("{attr}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// The result of a whole sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The callback URL the provider sent the browser to.
    pub callback_url: String,
    /// The worker's answer to it (a 302 to `return_to`).
    pub callback: Reply,
    /// The callback's `Location`.
    pub location: String,
    /// The login cookie as it was when the callback arrived.
    pub login_cookie: String,
    /// The refresh cookie value after the callback.
    pub session: String,
    /// `POST /auth/refresh` with that cookie: the identity.
    pub refreshed: GuestResponse,
    /// The code the provider gave (so tests can replay it).
    pub code: String,
}

/// Login → provider consent → callback → refresh, asserting each step went the normal way.
pub fn sign_in(
    browser: &mut Browser,
    base_url: &str,
    providers: &Providers,
    provider: Provider,
    login: &str,
    return_to: &str,
) -> SignedIn {
    let start = start_login(browser, base_url, provider.id(), Some(return_to));
    assert_eq!(start.status, 302, "{provider} login: {start:?}");
    let authorize = location(base_url, &start).expect("a Location");
    let callback = consent(
        browser,
        providers,
        provider,
        &authorize,
        login,
        Decision::Approve,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        callback.starts_with(&format!("{base_url}/auth/{provider}/callback?")),
        "{callback}"
    );
    let code = query(&callback).get("code").cloned().expect("a code");
    let login_cookie = browser
        .cookie(base_url, LOGIN_COOKIE)
        .unwrap_or_else(|| panic!("{provider}: no login cookie: {start:?}"));
    let reply = browser.get(&callback);
    assert_eq!(reply.status, 302, "{provider} callback: {reply:?}");
    let location = reply.header("location").unwrap_or_default().to_owned();
    assert!(
        is_local_path(&location),
        "{provider}: the callback must send the browser to a path of this origin: {location:?}"
    );
    let session = browser
        .cookie(base_url, SESSION_COOKIE)
        .unwrap_or_else(|| panic!("{provider}: no session cookie after the callback: {reply:?}"));
    let refreshed = refresh(browser, base_url)
        .unwrap_or_else(|r| panic!("{provider}: refresh after sign-in failed: {r:?}"));
    SignedIn {
        callback_url: callback,
        callback: reply,
        location,
        login_cookie,
        session,
        refreshed,
        code,
    }
}

/// Whether `location` stays on the origin that sent it: a path, never `//host` or `/\\host`.
pub fn is_local_path(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && !location.starts_with("/\\")
        && !location.chars().any(|c| c == '\\' || c.is_control())
}

/// A GET whose body is bytes (images): status, content type and body.
pub fn get_bytes(url: &str) -> (u16, String, Vec<u8>) {
    let mut response = agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: no HTTP answer: {e}"));
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(8 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("GET {url}: unreadable body: {e}"));
    (response.status().as_u16(), content_type, body)
}

/// `POST /auth/refresh {}` as the app sends it (same origin, JSON).
pub fn refresh(browser: &mut Browser, base_url: &str) -> Result<GuestResponse, Reply> {
    let reply = browser.send(
        "POST",
        &format!("{base_url}/auth/refresh"),
        &[("origin", base_url), ("content-type", "application/json")],
        Some("{}"),
    );
    if reply.status == 200 {
        Ok(reply.json())
    } else {
        Err(reply)
    }
}

/// The header and claims of a JWT (unverified).
pub fn jwt_parts(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let decode = |p: Option<&str>| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p?).ok()?).ok()
    };
    Some((decode(parts.next())?, decode(parts.next())?))
}

/// base64url (no padding) of a JSON value: a JWT segment.
pub fn b64url_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `token` with its claims changed by `edit`, signed again with `key` (a valid signature).
pub fn resign(key: &JwtKey, token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let (header, mut claims) = jwt_parts(token).expect("a JWT");
    edit(&mut claims);
    match key.alg {
        JwtAlg::Hs256 => sign(&key.secret, &header, &claims),
        JwtAlg::Ed25519 => sign_ed25519(&key.secret, &header, &claims),
    }
}

/// The PKCE S256 challenge of `verifier`: base64url(SHA-256(verifier)).
pub fn s256(verifier: &str) -> String {
    use sha2::Digest as _;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The claims' string values (to find the state, verifier or nonce whatever the claim names).
pub fn string_claims(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .map(|o| {
            o.values()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
