//! Per-connection flood control: a token bucket for frames, one each for chat messages,
//! reactions, host actions and chat lookups, and a strike count for bad frames.

/// Classic token bucket; time is passed in so it is deterministic under test.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    refill_per_ms: f64,
    tokens: f64,
    last_ms: i64,
}

impl TokenBucket {
    pub fn new(capacity: u32, refill_per_second: u32, now_ms: i64) -> Self {
        TokenBucket {
            capacity: f64::from(capacity),
            refill_per_ms: f64::from(refill_per_second) / 1000.0,
            tokens: f64::from(capacity),
            last_ms: now_ms,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now_ms: i64) -> bool {
        self.try_take_n(1, now_ms)
    }

    /// Takes `n` tokens if there are that many (none otherwise).
    pub fn try_take_n(&mut self, n: u32, now_ms: i64) -> bool {
        let elapsed = (now_ms - self.last_ms).max(0) as f64;
        self.tokens = (self.tokens + elapsed * self.refill_per_ms).min(self.capacity);
        self.last_ms = self.last_ms.max(now_ms);
        if self.tokens >= f64::from(n) {
            self.tokens -= f64::from(n);
            true
        } else {
            false
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the rate: drop the frame and tell the client (first refusal of a run).
    Refuse,
    /// Over the rate again: drop the frame silently (no error storm back to a flooder).
    Drop,
    /// Over the rate for so long that the connection is abusive.
    Close,
}

/// Limits for one connection. Signaling bursts at call setup (an offer, a few dozen ICE
/// candidates per peer, 7 peers) stay far below the burst size.
#[derive(Debug, Clone)]
pub struct ConnGuard {
    frames: TokenBucket,
    chats: TokenBucket,
    reactions: TokenBucket,
    moderation: TokenBucket,
    lookups: TokenBucket,
    refused_in_row: u32,
    strikes: u32,
}

impl ConnGuard {
    pub const FRAME_BURST: u32 = 300;
    pub const FRAMES_PER_SECOND: u32 = 100;
    /// Refused frames in a row before the socket is closed as a flood.
    pub const FLOOD_LIMIT: u32 = 200;
    /// Bad frames (errors) before the socket is closed for abuse.
    pub const STRIKE_LIMIT: u32 = 100;
    /// Chat messages a person may send at once (a pasted burst, an outbox flushed on reconnect).
    pub const CHAT_BURST: u32 = 20;
    /// Sustained chat rate.
    pub const CHATS_PER_SECOND: u32 = 10;
    /// Reactions at once (a few claps in a row), then one a second: each is an animation on
    /// everyone's screen, so a flood would bury the call.
    pub const REACTION_BURST: u32 = 5;
    pub const REACTIONS_PER_SECOND: u32 = 1;
    /// Host actions at once (removing a few trolls in a row), then one a second: each closes
    /// sockets, writes storage or interrupts someone.
    pub const MODERATION_BURST: u32 = 10;
    pub const MODERATIONS_PER_SECOND: u32 = 1;
    /// Chat messages looked up (history pages and search results, counted by the `limit`
    /// asked for): ten full pages at once (scrolling back fast, typing a search), then two a
    /// second. Each lookup reads storage on the room's one thread, up to 100 messages of 4,000
    /// characters; without this the frame rate alone allowed 100 such lookups a second.
    pub const LOOKUP_ROWS_BURST: u32 = 1_000;
    pub const LOOKUP_ROWS_PER_SECOND: u32 = 200;

    pub fn new(now_ms: i64) -> Self {
        ConnGuard {
            frames: TokenBucket::new(Self::FRAME_BURST, Self::FRAMES_PER_SECOND, now_ms),
            chats: TokenBucket::new(Self::CHAT_BURST, Self::CHATS_PER_SECOND, now_ms),
            reactions: TokenBucket::new(Self::REACTION_BURST, Self::REACTIONS_PER_SECOND, now_ms),
            moderation: TokenBucket::new(
                Self::MODERATION_BURST,
                Self::MODERATIONS_PER_SECOND,
                now_ms,
            ),
            lookups: TokenBucket::new(
                Self::LOOKUP_ROWS_BURST,
                Self::LOOKUP_ROWS_PER_SECOND,
                now_ms,
            ),
            refused_in_row: 0,
            strikes: 0,
        }
    }

    pub fn admit_frame(&mut self, now_ms: i64) -> Verdict {
        if self.frames.try_take(now_ms) {
            self.refused_in_row = 0;
            return Verdict::Allow;
        }
        self.refused_in_row += 1;
        match self.refused_in_row {
            n if n >= Self::FLOOD_LIMIT => Verdict::Close,
            1 => Verdict::Refuse,
            _ => Verdict::Drop,
        }
    }

    /// Whether one more chat message fits the chat rate. A refused message is not stored; the
    /// client is told (`rate_limited` with its `client_id`) and may resend it later.
    pub fn admit_chat(&mut self, now_ms: i64) -> bool {
        self.chats.try_take(now_ms)
    }

    /// Whether one more reaction fits the reaction rate.
    pub fn admit_reaction(&mut self, now_ms: i64) -> bool {
        self.reactions.try_take(now_ms)
    }

    /// Whether a host action (remove, mute, lock, end) may go ahead now.
    pub fn admit_moderation(&mut self, now_ms: i64) -> bool {
        self.moderation.try_take(now_ms)
    }

    /// Whether a history or search lookup of up to `rows` messages fits the lookup budget.
    pub fn admit_lookup(&mut self, rows: u32, now_ms: i64) -> bool {
        self.lookups.try_take_n(rows.max(1), now_ms)
    }

    /// Counts a bad frame; true when the connection has had too many.
    pub fn strike(&mut self) -> bool {
        self.strikes += 1;
        self.strikes >= Self::STRIKE_LIMIT
    }

    /// Counts a bad frame; the close (code, reason) when the connection has had too many.
    /// Members and standby sockets close the same way.
    pub fn strike_out(&mut self) -> Option<(u16, &'static str)> {
        self.strike().then_some((
            confab_protocol::close_code::POLICY_VIOLATION,
            "too many bad frames",
        ))
    }
}
