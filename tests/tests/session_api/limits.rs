//! The per-address limit on session requests.

use confab_tests::http::{self, media_type};

use super::{guest, open, post_from, refreshed};

/// Session requests (each reaches the `Sessions` object its cookie names, forged or not) are
/// limited per client address: 60 in ten seconds, then 429 with `Retry-After`, while another
/// address goes on.
pub fn session_requests_are_limited_per_address() {
    let w = open();
    let (_, cookie) = guest(&w, "Mina");
    let busy = http::some_client_address();
    let forged = format!("guest:{}.forged", uuid::Uuid::new_v4().simple());
    let mut answered = 0;
    let refused = loop {
        let reply = post_from(&w, &busy, "/auth/refresh", Some(&forged), "{}");
        if reply.status != 401 {
            break reply;
        }
        answered += 1;
        // 60 a window; the window may turn over once while we count.
        assert!(answered <= 120, "more than two windows' worth answered");
    };
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(
        media_type(&refused.content_type),
        "application/problem+json"
    );
    assert_eq!(refused.header("retry-after"), Some("10"));
    assert!(answered >= 60, "refused after {answered}");
    // The same address's real session waits too; another address's does not.
    assert_eq!(
        post_from(&w, &busy, "/auth/refresh", Some(&cookie), "{}").status,
        429
    );
    refreshed(&w, &cookie);
}
