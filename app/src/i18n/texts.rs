//! The keys: every string the interface shows, as one struct whose values are the tables in
//! `ko.rs` and `en.rs`. Plain `&str` for fixed text; `fn` for text with something in it.

use confab_protocol::{ErrorCode, HistoryVisibility};

pub struct Texts {
    // ---- page, home ----------------------------------------------------------------------
    /// The language menu's accessible name.
    pub language: &'static str,
    /// The theme menu's accessible name and its three choices.
    pub theme: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub tagline: &'static str,
    pub page_not_found: &'static str,
    pub go_home: &'static str,
    pub home: &'static str,
    pub loading: &'static str,
    pub your_name: &'static str,
    pub room: &'static str,
    pub room_placeholder: &'static str,
    pub join: &'static str,
    pub new_room: &'static str,
    pub only_signed_in_toggle: &'static str,
    /// The chat-history menu's name (a new room's, the hosts'), and each choice in it.
    pub chat_history: &'static str,
    pub history_option: fn(HistoryVisibility) -> &'static str,
    pub sign_in_to_start: &'static str,
    pub server_named_invalid_room: &'static str,
    pub could_not_create_room: fn(&str) -> String,
    pub bad_room_name: &'static str,
    pub bad_display_name: &'static str,

    // ---- account ---------------------------------------------------------------------------
    pub sign_in: &'static str,
    pub sign_in_with: fn(&str) -> String,
    pub signed_in: &'static str,
    /// Around the name in "Signed in as <name>".
    pub signed_in_as: (&'static str, &'static str),
    pub profile: &'static str,
    pub sign_out: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_hint: &'static str,
    pub remembered_guest: &'static str,
    pub could_not_sign_out: fn(&str) -> String,

    // ---- lobby, ended ----------------------------------------------------------------------
    pub join_as: &'static str,
    pub sign_in_to_join: &'static str,
    pub rejoin: &'static str,
    pub room_for_signed_in: &'static str,
    pub no_sign_in_method: &'static str,
    pub invalid_room_link: &'static str,
    pub joining: &'static str,
    pub could_not_join: fn(&str) -> String,
    pub could_not_connect: fn(&str) -> String,
    pub ended_room_full: &'static str,
    pub ended_seat_limit: &'static str,
    pub ended_session: &'static str,
    /// Removed by a host (4411), the meeting ended for everyone (4412), the room locked (4423).
    pub ended_removed: &'static str,
    pub ended_for_all: &'static str,
    pub ended_locked: &'static str,
    /// A host turned me away from the room's lobby (4413).
    pub ended_denied: &'static str,
    pub ended_replaced: &'static str,
    pub ended_left: &'static str,
    pub ended_lost_code: fn(u16) -> String,
    pub ended_lost_reason: fn(&str) -> String,
    /// The lobby's waiting page (what it says under the room's name).
    pub lobby_waiting: &'static str,

    // ---- call ------------------------------------------------------------------------------
    pub relay_off: &'static str,
    pub relay_unavailable: &'static str,
    /// Attempt number and seconds to wait, in tenths.
    pub reconnecting: fn(u32, u32) -> String,
    pub mute: &'static str,
    pub unmute: &'static str,
    pub stop_video: &'static str,
    pub start_video: &'static str,
    pub chat: &'static str,
    pub unread_messages: &'static str,
    pub copy_invite: &'static str,
    pub link_copied: &'static str,
    pub not_copied: fn(&str) -> String,
    pub leave: &'static str,
    pub raise_hand: &'static str,
    pub lower_hand: &'static str,
    /// The list of raised hands, in order.
    pub raised_hands: &'static str,
    /// A tile's hand badge: its place in the queue, from 1.
    pub hand_number: fn(usize) -> String,
    pub you_suffix: &'static str,
    /// The participants button and panel.
    pub people: &'static str,
    pub role_host: &'static str,
    pub role_cohost: &'static str,
    pub make_cohost: &'static str,
    pub remove_cohost: &'static str,
    pub make_host: &'static str,
    /// Accessible names of those buttons on one person's row.
    pub make_cohost_of: fn(&str) -> String,
    pub remove_cohost_of: fn(&str) -> String,
    pub make_host_of: fn(&str) -> String,
    /// A moderator's row controls: ask someone's app to turn its microphone off; remove them
    /// (the confirmation's period menu, its choices, the confirm button) and their accessible
    /// names (whose).
    pub mute_request: &'static str,
    pub mute_request_of: fn(&str) -> String,
    pub remove: &'static str,
    pub remove_of: fn(&str) -> String,
    pub remove_period: &'static str,
    pub ban_meeting: &'static str,
    pub ban_hour: &'static str,
    pub ban_forever: &'static str,
    pub remove_now: &'static str,
    pub remove_now_of: fn(&str) -> String,
    pub cancel: &'static str,
    /// Who turned my microphone off (`None`: someone no longer listed), shown and heard.
    pub muted_by: fn(Option<&str>) -> String,
    /// The moderators' meeting controls at the top of the People panel.
    pub meeting_controls: &'static str,
    pub lock_room: &'static str,
    pub capacity: &'static str,
    /// One choice of the capacity menu: at most this many people.
    pub capacity_option: fn(u32) -> String,
    pub end_for_all: &'static str,
    pub end_for_all_confirm: &'static str,
    /// The badge everyone sees while the room is locked, and its accessible name.
    pub room_locked: &'static str,
    pub room_locked_hint: &'static str,
    /// The hosts' waiting-room switch, and the badge everyone sees while it is on (its
    /// accessible name).
    pub waiting_room: &'static str,
    pub room_lobby: &'static str,
    pub room_lobby_hint: &'static str,
    /// The hosts' list of people waiting to come in: its name, its heading (how many), each
    /// row's buttons and their accessible names (whose), and letting everyone in at once.
    pub lobby_requests: &'static str,
    pub lobby_count: fn(usize) -> String,
    pub admit: &'static str,
    pub admit_of: fn(&str) -> String,
    pub deny: &'static str,
    pub deny_of: fn(&str) -> String,
    pub admit_all: &'static str,
    /// Marking a signed-in person trusted (they skip the waiting room): the row's switch, its
    /// accessible name (whose), and the row's marker.
    pub trust: &'static str,
    pub trust_of: fn(&str) -> String,
    pub trusted: &'static str,
    /// The line everyone sees at the top of the chat: whose history they are shown.
    pub history_note: fn(HistoryVisibility) -> &'static str,
    pub guest: &'static str,
    pub joined_as_guest: &'static str,
    pub tile_reconnecting: &'static str,
    pub mic_off: &'static str,
    pub microphone_off: &'static str,
    pub relayed: &'static str,
    pub relayed_hint: &'static str,
    pub link_connecting: &'static str,
    pub link_failed: &'static str,
    pub cannot_connect_no_relay: fn(&str) -> String,
    pub cannot_connect_relay_down: fn(&str) -> String,
    pub cannot_connect_at_all: fn(&str) -> String,
    pub quality_good: &'static str,
    pub quality_weak: &'static str,
    pub quality_bad: &'static str,
    /// Level, RTT in ms (if known), loss in whole percent, kbit/s, relayed.
    pub quality_label: fn(&str, Option<u32>, u32, u32, bool) -> String,
    pub relay_refused: &'static str,
    pub relay_unreachable: &'static str,
    pub cannot_create_connection: fn(&str) -> String,
    pub could_not_renew: fn(&str) -> String,

    // ---- what a screen reader hears (a polite live region) -----------------------------------
    pub heard_joined: fn(&str) -> String,
    pub heard_left: fn(&str) -> String,
    pub heard_mic_off: fn(&str) -> String,
    pub heard_mic_on: fn(&str) -> String,
    pub heard_hand: fn(&str) -> String,
    /// A host locked (true) or unlocked the room.
    pub heard_locked: fn(bool) -> &'static str,
    /// A host changed whose chat history people see.
    pub heard_history: fn(HistoryVisibility) -> &'static str,
    /// A host turned the waiting room on (true) or off.
    pub heard_lobby: fn(bool) -> &'static str,
    /// I wait in the lobby of this room; a host let me in.
    pub heard_waiting: fn(&str) -> String,
    pub heard_admitted: &'static str,
    /// Someone new waits to come in (a name, and how many more came with them).
    pub heard_wants_to_join: fn(&str, usize) -> String,
    pub heard_reconnecting: &'static str,
    pub heard_reconnected: &'static str,
    /// Author and text of a message from someone else.
    pub heard_message: fn(&str, &str) -> String,
    /// How many more messages came close after one read in full.
    pub heard_messages: fn(u32) -> String,
    /// A video tile's label: name, microphone off, camera off.
    pub tile_label: fn(&str, bool, bool) -> String,

    // ---- camera and microphone -------------------------------------------------------------
    pub no_media_api: &'static str,
    pub no_camera: fn(&str) -> String,
    pub no_microphone: fn(&str) -> String,
    pub receive_only: fn(&str) -> String,
    pub permission_denied: &'static str,
    pub no_device: &'static str,
    pub device_in_use: &'static str,
    pub unknown_error: &'static str,
    /// The pre-join preview's label, and what it shows while the camera is off.
    pub your_camera_and_mic: &'static str,
    pub camera_is_off: &'static str,
    /// Device pickers' labels; also "Camera 2" for a device the browser does not name.
    pub camera: &'static str,
    pub microphone: &'static str,
    pub speaker: &'static str,
    pub mic_level: &'static str,
    /// How to allow camera and microphone after saying no, in each browser's words.
    pub allow_in_chrome: &'static str,
    pub allow_in_firefox: &'static str,
    pub allow_in_safari: &'static str,
    pub plug_in_device: &'static str,
    pub close_other_apps: &'static str,
    /// A device switch failed (why); the old device stays.
    pub device_not_switched: fn(&str) -> String,
    /// The screen share button, and a shared screen's label (whose).
    pub share_screen: &'static str,
    pub stop_sharing: &'static str,
    pub screen_of: fn(&str) -> String,
    /// The in-call device settings button and panel.
    pub device_settings: &'static str,
    /// A device of a kind ("Camera") went away, and the one used now; or there is none.
    pub device_lost: fn(&str, &str) -> String,
    pub device_lost_none: fn(&str) -> String,
    /// Speaker view on/off; pinning a tile (whose) large and unpinning it; my own preview
    /// shrunk to a corner; lowering my hand by itself once I talk for a while.
    pub speaker_view: &'static str,
    pub pin: fn(&str) -> String,
    pub unpin: fn(&str) -> String,
    pub shrink_self: &'static str,
    pub auto_lower_hand: &'static str,
    /// The reactions button, and each reaction's name (for screen readers).
    pub react: &'static str,
    /// The keyboard shortcuts' list: its title, what each does, a line on when they work.
    pub shortcuts: &'static str,
    pub shortcut_name: fn(crate::shortcuts::Shortcut) -> &'static str,
    pub shortcuts_hint: &'static str,
    pub close: &'static str,
    /// The picture-in-picture button.
    pub picture_in_picture: &'static str,
    pub reaction_name: fn(confab_protocol::Reaction) -> &'static str,

    // ---- chat ------------------------------------------------------------------------------
    pub search_placeholder: &'static str,
    pub search_label: &'static str,
    pub close_chat: &'static str,
    pub search_results: &'static str,
    pub searching: &'static str,
    pub search_failed: fn(&str) -> String,
    pub no_matches: fn(&str) -> String,
    pub load_earlier: &'static str,
    pub no_messages_yet: &'static str,
    pub new_messages_below: &'static str,
    pub new_messages: &'static str,
    pub you: &'static str,
    pub sending: &'static str,
    pub waiting_for_connection: &'static str,
    pub retry: &'static str,
    pub discard: &'static str,
    pub emoji: &'static str,
    pub insert_emoji: &'static str,
    pub message_placeholder: &'static str,
    pub message: &'static str,
    pub send: &'static str,
    pub type_a_message: &'static str,
    pub message_too_long: fn(usize) -> String,

    // ---- profile ---------------------------------------------------------------------------
    pub profiles_need_sign_in: &'static str,
    pub saving: &'static str,
    pub uploading: &'static str,
    pub name_saved: &'static str,
    pub picture_saved: &'static str,
    pub picture_label: &'static str,
    pub display_name: &'static str,
    pub save: &'static str,
    pub back_to_confab: &'static str,
    pub saved_but_stale: fn(&str) -> String,
    pub file_empty: &'static str,
    /// Size in tenths of a MB.
    pub image_too_large: fn(u32) -> String,
    pub wrong_image_type: &'static str,

    // ---- errors from the server, by code ---------------------------------------------------
    pub network_error: &'static str,
    pub unexpected_answer: &'static str,
    pub signed_out: &'static str,
    pub http_bad_request: &'static str,
    pub http_forbidden: &'static str,
    pub http_not_found: &'static str,
    pub http_too_large: &'static str,
    pub http_unsupported_type: &'static str,
    pub http_too_many: &'static str,
    pub http_upstream: &'static str,
    pub http_server: &'static str,
    /// An `error` frame's code, as the chat shows it.
    pub frame_error: fn(ErrorCode) -> &'static str,
}
