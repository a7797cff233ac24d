//! Cloudflare relay answers kept per user, so a page that asks again (a reload, a reconnect,
//! another tab) does not cost another call to Cloudflare's TURN API while its credential still
//! has most of its life. Kept in the isolate's memory: a later request of that user served by
//! another isolate asks Cloudflare once more, which the per-user rate limit bounds anyway.

use std::collections::HashMap;

use confab_protocol::IceResponse;

/// Users whose answers one isolate keeps at most.
pub const CAPACITY: usize = 1024;

#[derive(Debug, Default)]
pub struct RelayCache {
    answers: HashMap<String, IceResponse>,
}

impl RelayCache {
    /// The answer kept for `user_id`, if at `now` (unix seconds) at least a fifth of its
    /// credential's life (`ttl` seconds) is left: the app renews at 80 % of what it is given,
    /// so it is never handed a credential about to lapse.
    pub fn fresh(&self, user_id: &str, now: i64, ttl: u32) -> Option<IceResponse> {
        let kept = self.answers.get(user_id)?;
        let left = kept.expires_at - now;
        (left * 5 >= i64::from(ttl)).then(|| kept.clone())
    }

    /// Keeps `answer` for `user_id`. When full, answers that have expired go first, then the
    /// one expiring soonest.
    pub fn keep(&mut self, user_id: &str, answer: IceResponse, now: i64) {
        if self.answers.len() >= CAPACITY && !self.answers.contains_key(user_id) {
            self.answers.retain(|_, kept| kept.expires_at > now);
            if self.answers.len() >= CAPACITY {
                let soonest = self
                    .answers
                    .iter()
                    .min_by_key(|(_, kept)| kept.expires_at)
                    .map(|(user, _)| user.clone());
                if let Some(user) = soonest {
                    self.answers.remove(&user);
                }
            }
        }
        self.answers.insert(user_id.to_owned(), answer);
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use confab_protocol::IceTransportPolicy;

    const NOW: i64 = 1_700_000_000;

    fn answer(expires_at: i64) -> IceResponse {
        IceResponse {
            ice_servers: Vec::new(),
            expires_at,
            relay: true,
            transport_policy: IceTransportPolicy::All,
        }
    }

    #[test]
    fn an_answer_is_reused_until_a_fifth_of_its_life_is_left_and_only_for_its_user() {
        let mut cache = RelayCache::default();
        cache.keep("user:a", answer(NOW + 3600), NOW);
        assert_eq!(cache.fresh("user:a", NOW, 3600), Some(answer(NOW + 3600)));
        assert_eq!(
            cache.fresh("user:a", NOW + 2880, 3600),
            Some(answer(NOW + 3600))
        );
        assert_eq!(cache.fresh("user:a", NOW + 2881, 3600), None);
        assert_eq!(cache.fresh("user:b", NOW, 3600), None);
    }

    #[test]
    fn a_full_cache_drops_expired_answers_then_the_soonest_to_expire() {
        let mut cache = RelayCache::default();
        for i in 0..CAPACITY as i64 {
            cache.keep(&format!("user:{i}"), answer(NOW + 100 + i), NOW);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.keep("user:new", answer(NOW + 5000), NOW);
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.answers.contains_key("user:new"));
        assert!(
            !cache.answers.contains_key("user:0"),
            "the soonest to expire goes"
        );
        // Later, every old answer has expired: all of them make room at once.
        cache.keep("user:later", answer(NOW + 9000), NOW + 2000);
        assert_eq!(cache.len(), 2);
        // A user already kept is replaced, not added.
        cache.keep("user:later", answer(NOW + 9999), NOW + 2000);
        assert_eq!(cache.len(), 2);
    }
}
