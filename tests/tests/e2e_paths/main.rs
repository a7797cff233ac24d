//! Everyday paths through the app, each done the way a person does it, in real headless
//! Chromium against the real worker under `wrangler dev`, in a private network namespace (see
//! `e2e_call.rs`):
//!
//! - [`home`]: joining a named room from the home page; the remembered name on a room link.
//! - [`invite`]: **Copy invite link** puts the room's link in the clipboard, and says so
//!   plainly (showing the link) when the browser refuses the write.
//! - [`signout`]: **Sign out** in one browser ends that browser's session only.
//! - [`chat`]: closing the chat panel, discarding a refused message, and a message over the
//!   length limit refused in the page.
//! - [`language`]: Korean on a Korean browser's first visit; the language menu relabels every
//!   control at once, in a call too, and is remembered.
//! - [`theme`]: light or dark as the system says, overridden by the theme menu.
//! - [`keyboard`]: home to call to leaving with keys alone (focus rings, Tab order, the emoji
//!   menu's keys), and what the room's live region and tile labels tell a screen reader.
//! - [`layout`]: a phone's and a laptop's screen: no sideways scrolling, every control on the
//!   screen, tiles 16:9; screenshots of both.
//! - [`prejoin`]: the preview, meter and device pickers before joining; the chosen camera is
//!   the one sent, and remembered.
//! - [`screen`]: a shared screen reaches everyone (late joiners too) and stops everywhere.
//! - [`hands`]: raised hands queue in raise order on every screen, late joiners included.
//! - [`hosts`]: the first in a room is its host; co-hosts, handing over, roles kept across a
//!   reconnect.
//! - [`speaker`]: the speaker's ring, speaker view following the speaker, pinning, a hand
//!   that lowers itself when its owner talks, my preview shrunk to a corner.
//! - [`reactions`]: a reaction on the sender's tile everywhere, for a moment; a flood refused.
//! - [`shortcuts`]: keyboard shortcuts press their buttons, `?` lists them, typing is safe.
//! - [`accessibility`]: axe-core finds nothing serious on any page, in either language or
//!   theme.
//!
//! The GitHub sign-in stand-in (`tests/js/`) runs for the sign-out path. Run by
//! `cargo xtask test` (root is needed for the namespace).

mod accessibility;
mod chat;
mod hands;
mod home;
mod hosts;
mod invite;
mod keyboard;
mod language;
mod layout;
mod lobby;
mod moderation;
mod page;
mod prejoin;
mod reactions;
mod screen;
mod shortcuts;
mod signout;
mod speaker;
mod theme;
mod words;

use std::process::ExitCode;

use accessibility::axe_finds_nothing_serious_on_any_page;
use chat::{
    closed_chat_is_hidden_and_counts_what_arrives,
    discarded_message_leaves_the_page_and_is_never_delivered,
    over_long_message_is_refused_in_the_page_and_not_sent,
};
use confab_tests::providers::{Provider, Providers};
use confab_tests::room_page;
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::Client;
use hands::raised_hands_queue_in_order_for_everyone;
use home::{
    remembered_name_fills_the_room_link_and_one_click_joins,
    room_typed_on_the_home_page_is_joined_and_seen,
};
use hosts::the_host_makes_a_cohost_and_hands_the_room_over;
use invite::{
    failed_clipboard_write_says_so_and_shows_the_link, invite_link_lands_in_the_clipboard,
};
use keyboard::the_whole_path_works_with_the_keyboard_alone;
use language::a_korean_browser_sees_korean_and_the_menu_switches_at_once;
use layout::phone_and_laptop_screens_fit_without_sideways_scrolling;
use lobby::the_host_lets_one_in_from_the_lobby_and_turns_one_away;
use moderation::the_host_mutes_locks_removes_and_ends_for_everyone;
use prejoin::the_prejoin_page_previews_and_sends_the_chosen_camera;
use reactions::a_reaction_shows_on_every_screen_and_a_flood_is_refused;
use screen::a_shared_screen_reaches_everyone_and_stops_everywhere;
use shortcuts::shortcuts_press_their_buttons_but_not_while_typing;
use signout::signing_out_in_one_browser_leaves_the_other_signed_in;
use speaker::the_speaker_is_ringed_and_shown_large;
use theme::the_theme_follows_the_system_and_the_menu_overrides_it;

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-paths" => start();
        room_typed_on_the_home_page_is_joined_and_seen,
        remembered_name_fills_the_room_link_and_one_click_joins,
        invite_link_lands_in_the_clipboard,
        failed_clipboard_write_says_so_and_shows_the_link,
        signing_out_in_one_browser_leaves_the_other_signed_in,
        closed_chat_is_hidden_and_counts_what_arrives,
        discarded_message_leaves_the_page_and_is_never_delivered,
        over_long_message_is_refused_in_the_page_and_not_sent,
        a_korean_browser_sees_korean_and_the_menu_switches_at_once,
        the_theme_follows_the_system_and_the_menu_overrides_it,
        axe_finds_nothing_serious_on_any_page,
        the_whole_path_works_with_the_keyboard_alone,
        phone_and_laptop_screens_fit_without_sideways_scrolling,
        raised_hands_queue_in_order_for_everyone,
        the_prejoin_page_previews_and_sends_the_chosen_camera,
        a_shared_screen_reaches_everyone_and_stops_everywhere,
        the_speaker_is_ringed_and_shown_large,
        a_reaction_shows_on_every_screen_and_a_flood_is_refused,
        shortcuts_press_their_buttons_but_not_while_typing,
        the_host_makes_a_cohost_and_hands_the_room_over,
        the_host_mutes_locks_removes_and_ends_for_everyone,
        the_host_lets_one_in_from_the_lobby_and_turns_one_away,
    )
}

/// The stage, with the GitHub sign-in stand-in. Fields drop in order: browsers' driver and the
/// worker first, then the stand-ins.
pub struct Env {
    stage: Stage,
    /// Held for its `Drop`: the stand-ins stop after the worker.
    _providers: Providers,
}

impl confab_tests::suite::Runs for Env {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.stage.runtime
    }
    fn worker_logs(&self) -> Vec<std::path::PathBuf> {
        confab_tests::suite::Runs::worker_logs(&self.stage)
    }
}

/// The stage with the sign-in stand-ins running inside its namespace and GitHub offered.
fn start() -> Result<Env, String> {
    Stage::enter_with("e2e-paths", |scratch| {
        let providers = Providers::start(&scratch.join("providers"))?;
        let options = Options {
            vars: providers.vars(&[Provider::Github]),
            ..Options::default()
        };
        Ok((options, providers))
    })
    .and_then(|(stage, providers)| {
        providers.register(stage.base_url())?;
        Ok(Env {
            stage,
            _providers: providers,
        })
    })
}

impl Env {
    pub fn base_url(&self) -> &str {
        self.stage.base_url()
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// Runs `body` with a new browser per label and closes them all afterwards, whatever the
    /// outcome (also when a later one fails to start).
    pub async fn with_browsers<F>(&self, labels: &[&str], body: F) -> Result<(), String>
    where
        F: AsyncFnOnce(&[Client]) -> Result<(), String>,
    {
        let mut browsers = Vec::new();
        for label in labels {
            match self.stage.browser(label).await {
                Ok(browser) => browsers.push(browser),
                Err(error) => {
                    for browser in browsers {
                        let _ = browser.close().await;
                    }
                    return Err(error);
                }
            }
        }
        room_page::with_browsers(browsers, body).await
    }
}
