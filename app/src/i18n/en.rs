//! English.

use confab_protocol::{ErrorCode, HistoryVisibility, Reaction};

use super::Texts;
use crate::shortcuts::Shortcut;

pub static EN: Texts = Texts {
    language: "Language",
    theme: "Theme",
    theme_system: "System theme",
    theme_light: "Light",
    theme_dark: "Dark",
    tagline: "Video calls and chat in your browser.",
    page_not_found: "Page not found.",
    go_home: "Go home",
    home: "Home",
    loading: "Loading…",
    your_name: "Your name",
    room: "Room",
    room_placeholder: "e.g. standup",
    join: "Join",
    new_room: "New room",
    only_signed_in_toggle: "Only signed-in people can join",
    chat_history: "Chat history",
    history_option: |history| match history {
        HistoryVisibility::Everyone => "Chat history: everyone who joins",
        HistoryVisibility::SinceJoined => "Chat history: only from when each person joins",
    },
    sign_in_to_start: "Sign in to start or join a call.",
    server_named_invalid_room: "The server named an invalid room.",
    could_not_create_room: |e| format!("Could not create the room: {e}"),
    bad_room_name: "Room names are 1–64 characters of A–Z, a–z, 0–9, '_' or '-'.",
    bad_display_name: "Names are 1–40 characters with no control or invisible characters.",

    sign_in: "Sign in",
    sign_in_with: |provider| format!("Sign in with {provider}"),
    signed_in: "Signed in",
    signed_in_as: ("Signed in as ", ""),
    profile: "Profile",
    sign_out: "Sign out",
    sign_out_everywhere: "Sign out everywhere",
    sign_out_everywhere_hint: "End this account's sessions on every device",
    remembered_guest: "This browser remembers you as a guest.",
    could_not_sign_out: |e| format!("Could not sign out: {e}"),

    join_as: "Join as",
    sign_in_to_join: "Sign in to join this call.",
    rejoin: "Rejoin",
    room_for_signed_in: "Only signed-in people can join this room.",
    no_sign_in_method: "No sign-in method is set up on this server.",
    invalid_room_link:
        "That is not a valid room link: room names use letters, digits, '-' and '_' \
                        (at most 64).",
    joining: "Joining…",
    could_not_join: |e| format!("Could not join: {e}"),
    could_not_connect: |e| format!("Could not connect: {e}"),
    ended_room_full: "This room is full (8 people at most). Try again later or start a new room.",
    ended_seat_limit:
        "You are already in this room in two other tabs or devices. Leave one of them to join here.",
    ended_session: "Your session has ended (signed out here or on another device). Sign in again \
                    to continue.",
    ended_removed: "A host removed you from this room.",
    ended_for_all: "The host ended the meeting for everyone.",
    ended_locked: "This room is locked; a host has to unlock it before you can join.",
    ended_denied: "A host did not let you in to this room.",
    ended_replaced: "You are in this call from a newer connection; this one has ended.",
    ended_left: "You left the call.",
    ended_lost_code: |code| format!("The connection to the room was lost (code {code})."),
    ended_lost_reason: |reason| format!("The connection to the room was lost: {reason}."),
    lobby_waiting: "Waiting for a host to let you in…",

    relay_off: "Relay (TURN) is off on this server: calls across strict networks may not connect.",
    relay_unavailable: "This server sends every call through its relay (TURN), so nobody sees \
                        your address, and the relay is unavailable right now: the call cannot \
                        connect until it is back. Trying again every few minutes.",
    reconnecting: |attempt, tenths| {
        format!(
            "Connection lost. Reconnecting… (attempt {attempt}, in {}.{} s)",
            tenths / 10,
            tenths % 10
        )
    },
    mute: "Mute",
    unmute: "Unmute",
    stop_video: "Stop video",
    start_video: "Start video",
    chat: "Chat",
    unread_messages: "unread messages",
    copy_invite: "Copy invite link",
    link_copied: "Link copied",
    not_copied: |link| format!("Couldn't copy the invite link. Here it is: {link}"),
    leave: "Leave",
    raise_hand: "Raise hand",
    lower_hand: "Lower hand",
    raised_hands: "Raised hands",
    hand_number: |n| format!("Hand raised, number {n} in line"),
    you_suffix: " (you)",
    people: "People",
    role_host: "Host",
    role_cohost: "Co-host",
    make_cohost: "Make co-host",
    remove_cohost: "Remove co-host",
    make_host: "Make host",
    make_cohost_of: |name| format!("Make {name} a co-host"),
    remove_cohost_of: |name| format!("Make {name} a member again"),
    make_host_of: |name| format!("Hand the room to {name}"),
    mute_request: "Turn off mic",
    mute_request_of: |name| format!("Turn off {name}'s microphone"),
    remove: "Remove",
    remove_of: |name| format!("Remove {name}"),
    remove_period: "For how long",
    ban_meeting: "For this meeting",
    ban_hour: "For an hour",
    ban_forever: "For good",
    remove_now: "Remove now",
    remove_now_of: |name| format!("Remove {name} now"),
    cancel: "Cancel",
    muted_by: |name| match name {
        Some(name) => format!("{name} turned your microphone off"),
        None => "A host turned your microphone off".into(),
    },
    meeting_controls: "Meeting controls",
    lock_room: "Lock room",
    capacity: "Room size",
    capacity_option: |n| format!("{n} people at most"),
    end_for_all: "End meeting for all",
    end_for_all_confirm: "End it for everyone now",
    room_locked: "Room locked",
    room_locked_hint: "Room locked: nobody new can join",
    waiting_room: "Waiting room",
    room_lobby: "Waiting room on",
    room_lobby_hint: "Waiting room on: a host lets each newcomer in",
    lobby_requests: "People waiting to join",
    lobby_count: |n| {
        if n == 1 {
            "1 person wants to join".into()
        } else {
            format!("{n} people want to join")
        }
    },
    admit: "Admit",
    admit_of: |name| format!("Admit {name}"),
    deny: "Deny",
    deny_of: |name| format!("Deny {name}"),
    admit_all: "Admit all",
    trust: "Trust",
    trust_of: |name| format!("Trust {name} (they skip the waiting room)"),
    trusted: "trusted",
    history_note: |history| match history {
        HistoryVisibility::Everyone => "History: everyone who joins sees all messages",
        HistoryVisibility::SinceJoined => "History: you see messages from when you first joined",
    },
    guest: "guest",
    joined_as_guest: "Joined as a guest",
    tile_reconnecting: "reconnecting…",
    mic_off: "mic off",
    microphone_off: "Microphone off",
    relayed: "relayed",
    relayed_hint: "Media goes through the TURN relay",
    link_connecting: "connecting",
    link_failed: "failed",
    cannot_connect_no_relay: |name| {
        format!(
            "Can't connect to {name}: your networks allow no direct connection, and this server \
             has no relay (TURN) to go through. Still trying."
        )
    },
    cannot_connect_relay_down: |name| {
        format!("Can't connect to {name}: the relay (TURN) is unavailable right now. Still trying.")
    },
    cannot_connect_at_all: |name| {
        format!("Can't connect to {name}, not even through the relay (TURN). Still trying.")
    },
    quality_good: "good",
    quality_weak: "weak",
    quality_bad: "bad",
    quality_label: |level, rtt, loss, kbps, relayed| {
        let rtt = rtt.map_or_else(|| "RTT ?".to_owned(), |ms| format!("RTT {ms} ms"));
        let relayed = if relayed { ", relayed" } else { "" };
        format!("Connection: {level} ({rtt}, loss {loss} %, {kbps} kbit/s{relayed})")
    },
    relay_refused: "The relay refused our credentials (401): calls that need the relay (TURN) \
                    may not connect. Check the server's TURN secret.",
    relay_unreachable: "Could not reach the relay server (TURN): calls across strict networks \
                        may not connect. Check that the TURN server is running and reachable.",
    cannot_create_connection: |e| format!("Cannot create a connection: {e}"),
    could_not_renew: |e| format!("Could not renew the session: {e}"),

    heard_joined: |name| format!("{name} joined"),
    heard_left: |name| format!("{name} left"),
    heard_mic_off: |name| format!("{name} muted their microphone"),
    heard_mic_on: |name| format!("{name} turned their microphone on"),
    heard_hand: |name| format!("{name} raised their hand"),
    heard_locked: |locked| {
        if locked {
            "The room is locked"
        } else {
            "The room is unlocked"
        }
    },
    heard_history: |history| match history {
        HistoryVisibility::Everyone => "Chat history is now shown in full to everyone who joins",
        HistoryVisibility::SinceJoined => {
            "Chat history now starts from when each person first joined"
        }
    },
    heard_lobby: |lobby| {
        if lobby {
            "The waiting room is on"
        } else {
            "The waiting room is off"
        }
    },
    heard_waiting: |room| {
        format!("In the waiting room of {room}. Waiting for a host to let you in.")
    },
    heard_admitted: "A host let you in",
    heard_wants_to_join: |name, more| match more {
        0 => format!("{name} wants to join"),
        more => format!("{name} and {more} more want to join"),
    },
    heard_reconnecting: "Connection lost. Reconnecting…",
    heard_reconnected: "Reconnected",
    heard_message: |name, text| format!("{name}: {text}"),
    heard_messages: |n| {
        if n == 1 {
            "1 more message".into()
        } else {
            format!("{n} more messages")
        }
    },
    tile_label: |name, mic_off, camera_off| {
        let mut label = name.to_owned();
        if mic_off {
            label.push_str(", microphone off");
        }
        if camera_off {
            label.push_str(", camera off");
        }
        label
    },

    no_media_api: "This browser gives no access to camera or microphone (is the page on https?). \
                   You can still watch and listen.",
    no_camera: |why| format!("No camera available ({why}); joining with microphone only."),
    no_microphone: |why| format!("No microphone available ({why}); joining with camera only."),
    receive_only: |why| {
        format!(
            "Camera and microphone are unavailable ({why}). You can join receive-only: you see \
             and hear others."
        )
    },
    permission_denied: "permission denied",
    no_device: "no device found",
    device_in_use: "device is in use",
    unknown_error: "unknown error",
    your_camera_and_mic: "Your camera and microphone",
    camera_is_off: "Camera is off",
    camera: "Camera",
    microphone: "Microphone",
    speaker: "Speaker",
    mic_level: "Microphone level",
    allow_in_chrome: "To allow them, click the icon at the left of the address bar, set Camera \
                      and Microphone to Allow, then reload this page.",
    allow_in_firefox: "To allow them, click the crossed-out camera or microphone in the address \
                       bar, clear the block, then reload this page.",
    allow_in_safari: "To allow them, open Safari › Settings for This Website, set Camera and \
                      Microphone to Allow, then reload this page.",
    plug_in_device: "Connect a camera or microphone: it shows up here as soon as it is plugged in.",
    close_other_apps: "Another app or tab is using it: close that, then choose the device again.",
    device_not_switched: |why| {
        format!("Could not switch the device ({why}); still using the previous one.")
    },
    share_screen: "Share screen",
    stop_sharing: "Stop sharing",
    screen_of: |name| format!("{name}'s screen"),
    device_settings: "Devices",
    device_lost: |kind, name| format!("{kind} disconnected; now using {name}."),
    device_lost_none: |kind| format!("{kind} disconnected, and there is no other."),
    speaker_view: "Speaker view",
    pin: |name| format!("Pin {name}"),
    unpin: |name| format!("Unpin {name}"),
    shrink_self: "Shrink my video to a corner",
    auto_lower_hand: "Lower my hand when I speak",
    react: "Send a reaction",
    shortcuts: "Keyboard shortcuts",
    shortcut_name: |shortcut| match shortcut {
        Shortcut::Mic => "Microphone on or off",
        Shortcut::Camera => "Camera on or off",
        Shortcut::Share => "Share screen or stop",
        Shortcut::Hand => "Raise or lower your hand",
        Shortcut::Chat => "Open or close the chat",
        Shortcut::Layout => "Speaker view or grid",
        Shortcut::Help => "This list",
    },
    shortcuts_hint: "They work anywhere in the call except while you type in a text field.",
    close: "Close",
    picture_in_picture: "Picture in picture",
    reaction_name: |reaction| match reaction {
        Reaction::ThumbsUp => "Thumbs up",
        Reaction::Clap => "Applause",
        Reaction::Laugh => "Laughing",
        Reaction::Heart => "Love",
        Reaction::Party => "Celebrate",
        Reaction::Wow => "Surprised",
    },

    search_placeholder: "Search: words, 한글, 초성 (ㅎㄱ)",
    search_label: "Search messages: words, Korean, or initial consonants (초성) like ㅎㄱ",
    close_chat: "Close chat",
    search_results: "Search results",
    searching: "Searching…",
    search_failed: |e| format!("Search failed: {e}"),
    no_matches: |q| format!("No messages match “{q}”."),
    load_earlier: "Load earlier messages",
    no_messages_yet: "No messages yet. Say hello!",
    new_messages_below: "New messages ↓",
    new_messages: "New messages",
    you: "You",
    sending: "Sending…",
    waiting_for_connection: "Waiting for connection…",
    retry: "Retry",
    discard: "Discard",
    emoji: "Emoji",
    insert_emoji: "Insert emoji",
    message_placeholder: "Message (Shift+Enter for a new line)",
    message: "Message",
    send: "Send",
    type_a_message: "Type a message first.",
    message_too_long: |max| format!("Messages are limited to {max} characters."),

    profiles_need_sign_in: "Profiles are for people who sign in. Guests join with just a name.",
    saving: "Saving…",
    uploading: "Uploading…",
    name_saved: "Name saved.",
    picture_saved: "Picture saved.",
    picture_label: "Profile picture (PNG, JPEG or WebP, up to 2 MB)",
    display_name: "Display name",
    save: "Save",
    back_to_confab: "Back to Confab",
    saved_but_stale: |e| format!("Saved, but the page could not catch up: {e}"),
    file_empty: "That file is empty.",
    image_too_large: |tenths| {
        format!(
            "That image is {}.{} MB; profile images can be at most 2 MB.",
            tenths / 10,
            tenths % 10
        )
    },
    wrong_image_type: "Choose a PNG, JPEG or WebP image.",

    network_error: "The server could not be reached. Check your connection and try again.",
    unexpected_answer: "The server gave an answer this page does not understand.",
    signed_out: "You are signed out. Sign in again.",
    http_bad_request: "The server refused the request.",
    http_forbidden: "That is not allowed here.",
    http_not_found: "Not found.",
    http_too_large: "That is too large.",
    http_unsupported_type: "That kind of file is not supported.",
    http_too_many: "Too many requests at once. Try again in a moment.",
    http_upstream: "The sign-in provider did not answer properly. Try again.",
    http_server: "The server failed. Try again.",
    frame_error: |code| match code {
        ErrorCode::RateLimited => "Not sent: too many at once. Wait a moment and try again.",
        ErrorCode::TooLarge => "Not sent: the message is too large.",
        ErrorCode::InvalidField => "Not sent: the server refused this message.",
        ErrorCode::Unsupported => "This server does not support that yet.",
        ErrorCode::RoomFull => "This room is full.",
        ErrorCode::SignInRequired => "Only signed-in people can join this room.",
        ErrorCode::Unauthorized => "Your session has ended. Sign in again.",
        ErrorCode::Internal => "The server failed. Try again.",
        ErrorCode::Forbidden => "Only a host or co-host can do that, and not to the host.",
        ErrorCode::SeatLimit => "You are already in this room in two other places.",
        ErrorCode::Removed => "A host removed you from this room.",
        ErrorCode::Locked => "This room is locked.",
        ErrorCode::Denied => "A host did not let you in.",
        ErrorCode::BadJson
        | ErrorCode::UnknownType
        | ErrorCode::UnknownPeer
        | ErrorCode::BinaryFrame => "The server could not read what this page sent.",
    },
};
