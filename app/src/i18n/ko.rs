//! 한국어.

use confab_protocol::{ErrorCode, HistoryVisibility, Reaction};

use super::Texts;
use crate::shortcuts::Shortcut;

pub static KO: Texts = Texts {
    language: "언어",
    theme: "테마",
    theme_system: "시스템 테마",
    theme_light: "밝게",
    theme_dark: "어둡게",
    tagline: "브라우저에서 바로 하는 화상 통화와 채팅.",
    page_not_found: "페이지를 찾을 수 없습니다.",
    go_home: "홈으로",
    home: "홈",
    loading: "불러오는 중…",
    your_name: "이름",
    room: "방",
    room_placeholder: "예: standup",
    join: "참여",
    new_room: "새 방",
    only_signed_in_toggle: "로그인한 사람만 참여할 수 있게 하기",
    chat_history: "채팅 기록",
    history_option: |history| match history {
        HistoryVisibility::Everyone => "채팅 기록: 참여하는 모든 사람에게 전체 공개",
        HistoryVisibility::SinceJoined => "채팅 기록: 각자 참여한 때부터만",
    },
    sign_in_to_start: "통화를 시작하거나 참여하려면 로그인하세요.",
    server_named_invalid_room: "서버가 잘못된 방 이름을 보냈습니다.",
    could_not_create_room: |e| format!("방을 만들지 못했습니다: {e}"),
    bad_room_name: "방 이름은 영문자, 숫자, '_', '-'로 1–64자여야 합니다.",
    bad_display_name: "이름은 제어 문자나 보이지 않는 문자 없이 1–40자여야 합니다.",

    sign_in: "로그인",
    sign_in_with: |provider| format!("{provider} 계정으로 로그인"),
    signed_in: "로그인됨",
    signed_in_as: ("", " 님으로 로그인됨"),
    profile: "프로필",
    sign_out: "로그아웃",
    sign_out_everywhere: "모든 기기에서 로그아웃",
    sign_out_everywhere_hint: "이 계정의 모든 기기 세션을 끝냅니다",
    remembered_guest: "이 브라우저는 당신을 게스트로 기억하고 있습니다.",
    could_not_sign_out: |e| format!("로그아웃하지 못했습니다: {e}"),

    join_as: "참여할 이름:",
    sign_in_to_join: "이 통화에 참여하려면 로그인하세요.",
    rejoin: "다시 참여",
    room_for_signed_in: "이 방은 로그인한 사람만 참여할 수 있습니다.",
    no_sign_in_method: "이 서버에는 설정된 로그인 방법이 없습니다.",
    invalid_room_link: "올바른 방 링크가 아닙니다. 방 이름은 영문자, 숫자, '-', '_'로 64자까지 \
                        쓸 수 있습니다.",
    joining: "참여하는 중…",
    could_not_join: |e| format!("참여하지 못했습니다: {e}"),
    could_not_connect: |e| format!("연결하지 못했습니다: {e}"),
    ended_room_full: "방이 가득 찼습니다(최대 8명). 나중에 다시 시도하거나 새 방을 만드세요.",
    ended_seat_limit: "이미 다른 탭이나 기기 두 곳에서 이 방에 들어와 있습니다. 그중 하나에서 나간 뒤 여기서 참여하세요.",
    ended_session: "세션이 끝났습니다(이 기기나 다른 기기에서 로그아웃했습니다). 계속하려면 다시 \
                    로그인하세요.",
    ended_removed: "호스트가 당신을 이 방에서 내보냈습니다.",
    ended_for_all: "호스트가 모두에 대해 회의를 종료했습니다.",
    ended_locked: "이 방은 잠겨 있습니다. 호스트가 잠금을 풀어야 참여할 수 있습니다.",
    ended_denied: "호스트가 이 방에 들여보내 주지 않았습니다.",
    ended_replaced: "더 새로운 연결로 이 통화에 참여 중이어서 이 연결은 끝났습니다.",
    ended_left: "통화에서 나왔습니다.",
    ended_lost_code: |code| format!("방과의 연결이 끊어졌습니다(코드 {code})."),
    ended_lost_reason: |reason| format!("방과의 연결이 끊어졌습니다: {reason}."),
    lobby_waiting: "호스트가 들여보내 주기를 기다리는 중…",

    relay_off:
        "이 서버는 중계(TURN)를 쓰지 않습니다. 제한이 엄격한 네트워크끼리는 연결되지 않을 수 \
                있습니다.",
    relay_unavailable: "이 서버는 주소가 드러나지 않도록 모든 통화를 중계(TURN) 서버로 보내는데, \
                        지금 중계 서버를 쓸 수 없어 다시 쓸 수 있을 때까지 연결되지 않습니다. 몇 \
                        분마다 다시 시도합니다.",
    reconnecting: |attempt, tenths| {
        format!(
            "연결이 끊어졌습니다. 다시 연결하는 중… ({attempt}번째 시도, {}.{}초 후)",
            tenths / 10,
            tenths % 10
        )
    },
    mute: "음소거",
    unmute: "음소거 해제",
    stop_video: "비디오 끄기",
    start_video: "비디오 켜기",
    chat: "채팅",
    unread_messages: "읽지 않은 메시지",
    copy_invite: "초대 링크 복사",
    link_copied: "링크를 복사했습니다",
    not_copied: |link| format!("초대 링크를 복사하지 못했습니다. 링크: {link}"),
    leave: "나가기",
    raise_hand: "손 들기",
    lower_hand: "손 내리기",
    raised_hands: "손 든 사람",
    hand_number: |n| format!("손 듦, {n}번째 차례"),
    you_suffix: " (나)",
    people: "참가자",
    role_host: "호스트",
    role_cohost: "공동 호스트",
    make_cohost: "공동 호스트로 지정",
    remove_cohost: "공동 호스트 해제",
    make_host: "호스트 넘기기",
    make_cohost_of: |name| format!("{name} 님을 공동 호스트로 지정"),
    remove_cohost_of: |name| format!("{name} 님의 공동 호스트 해제"),
    make_host_of: |name| format!("{name} 님에게 호스트 넘기기"),
    mute_request: "마이크 끄기",
    mute_request_of: |name| format!("{name} 님의 마이크 끄기"),
    remove: "내보내기",
    remove_of: |name| format!("{name} 님 내보내기"),
    remove_period: "내보낼 기간",
    ban_meeting: "이번 회의 동안",
    ban_hour: "한 시간 동안",
    ban_forever: "영구히",
    remove_now: "지금 내보내기",
    remove_now_of: |name| format!("{name} 님을 지금 내보내기"),
    cancel: "취소",
    muted_by: |name| match name {
        Some(name) => format!("{name} 님이 내 마이크를 껐습니다"),
        None => "호스트가 내 마이크를 껐습니다".into(),
    },
    meeting_controls: "회의 관리",
    lock_room: "방 잠그기",
    capacity: "방 인원",
    capacity_option: |n| format!("최대 {n}명"),
    end_for_all: "모두에 대해 회의 종료",
    end_for_all_confirm: "지금 모두에 대해 종료",
    room_locked: "방 잠김",
    room_locked_hint: "방 잠김: 새로운 사람은 들어올 수 없습니다",
    waiting_room: "대기실",
    room_lobby: "대기실 사용 중",
    room_lobby_hint: "대기실 사용 중: 새로 오는 사람은 호스트가 들여보내야 합니다",
    lobby_requests: "참여를 기다리는 사람",
    lobby_count: |n| format!("{n}명이 참여하려고 합니다"),
    admit: "들여보내기",
    admit_of: |name| format!("{name} 님 들여보내기"),
    deny: "거절",
    deny_of: |name| format!("{name} 님 거절"),
    admit_all: "모두 들여보내기",
    trust: "신뢰",
    trust_of: |name| format!("{name} 님 신뢰 (대기실 없이 들어옵니다)"),
    trusted: "신뢰함",
    history_note: |history| match history {
        HistoryVisibility::Everyone => "기록: 참여하는 모든 사람이 모든 메시지를 봅니다",
        HistoryVisibility::SinceJoined => "기록: 처음 참여한 때부터의 메시지만 보입니다",
    },
    guest: "게스트",
    joined_as_guest: "게스트로 참여함",
    tile_reconnecting: "다시 연결하는 중…",
    mic_off: "마이크 꺼짐",
    microphone_off: "마이크가 꺼져 있습니다",
    relayed: "중계",
    relayed_hint: "미디어가 TURN 중계 서버를 거칩니다",
    link_connecting: "연결 중",
    link_failed: "연결 실패",
    cannot_connect_no_relay: |name| {
        format!(
            "{name} 님과 연결할 수 없습니다. 서로의 네트워크가 직접 연결을 허용하지 않는데 이 서버에는 \
             거쳐 갈 중계(TURN) 서버가 없습니다. 계속 시도합니다."
        )
    },
    cannot_connect_relay_down: |name| {
        format!("{name} 님과 연결할 수 없습니다. 지금은 중계(TURN) 서버를 쓸 수 없습니다. 계속 시도합니다.")
    },
    cannot_connect_at_all: |name| {
        format!("{name} 님과 중계(TURN) 서버를 거쳐도 연결할 수 없습니다. 계속 시도합니다.")
    },
    quality_good: "좋음",
    quality_weak: "약함",
    quality_bad: "나쁨",
    quality_label: |level, rtt, loss, kbps, relayed| {
        let rtt = rtt.map_or_else(|| "지연 ?".to_owned(), |ms| format!("지연 {ms}ms"));
        let relayed = if relayed { ", 중계" } else { "" };
        format!("연결 상태: {level} ({rtt}, 손실 {loss}%, {kbps}kbit/s{relayed})")
    },
    relay_refused:
        "중계(TURN) 서버가 인증 정보를 거부했습니다(401). 중계가 필요한 통화는 연결되지 \
                    않을 수 있습니다. 서버의 TURN 비밀 값을 확인하세요.",
    relay_unreachable:
        "중계(TURN) 서버에 연결할 수 없습니다. 제한이 엄격한 네트워크끼리는 연결되지 \
                        않을 수 있습니다. TURN 서버가 실행 중이고 접근 가능한지 확인하세요.",
    cannot_create_connection: |e| format!("연결을 만들 수 없습니다: {e}"),
    could_not_renew: |e| format!("세션을 갱신하지 못했습니다: {e}"),

    heard_joined: |name| format!("{name} 님이 참여했습니다"),
    heard_left: |name| format!("{name} 님이 나갔습니다"),
    heard_mic_off: |name| format!("{name} 님이 마이크를 껐습니다"),
    heard_mic_on: |name| format!("{name} 님이 마이크를 켰습니다"),
    heard_hand: |name| format!("{name} 님이 손을 들었습니다"),
    heard_locked: |locked| {
        if locked {
            "방이 잠겼습니다"
        } else {
            "방 잠금이 풀렸습니다"
        }
    },
    heard_history: |history| match history {
        HistoryVisibility::Everyone => "이제 참여하는 모든 사람이 채팅 기록 전체를 봅니다",
        HistoryVisibility::SinceJoined => "이제 채팅 기록은 각자 처음 참여한 때부터 보입니다",
    },
    heard_lobby: |lobby| {
        if lobby {
            "대기실을 켰습니다"
        } else {
            "대기실을 껐습니다"
        }
    },
    heard_waiting: |room| format!("{room} 방의 대기실입니다. 호스트가 들여보내 주기를 기다리는 중입니다."),
    heard_admitted: "호스트가 들여보내 주었습니다",
    heard_wants_to_join: |name, more| match more {
        0 => format!("{name} 님이 참여하려고 합니다"),
        more => format!("{name} 님 외 {more}명이 참여하려고 합니다"),
    },
    heard_reconnecting: "연결이 끊어졌습니다. 다시 연결하는 중…",
    heard_reconnected: "다시 연결되었습니다",
    heard_message: |name, text| format!("{name}: {text}"),
    heard_messages: |n| format!("메시지 {n}개 더"),
    tile_label: |name, mic_off, camera_off| {
        let mut label = name.to_owned();
        if mic_off {
            label.push_str(", 마이크 꺼짐");
        }
        if camera_off {
            label.push_str(", 카메라 꺼짐");
        }
        label
    },

    no_media_api:
        "이 브라우저에서는 카메라와 마이크를 쓸 수 없습니다(https 페이지인가요?). 보고 듣기는 \
                   할 수 있습니다.",
    no_camera: |why| format!("카메라를 쓸 수 없어({why}) 마이크만으로 참여합니다."),
    no_microphone: |why| format!("마이크를 쓸 수 없어({why}) 카메라만으로 참여합니다."),
    receive_only: |why| {
        format!(
            "카메라와 마이크를 쓸 수 없습니다({why}). 받기 전용으로 참여할 수 있습니다: 다른 사람을 \
             보고 들을 수 있습니다."
        )
    },
    permission_denied: "권한이 거부됨",
    no_device: "장치를 찾을 수 없음",
    device_in_use: "장치가 사용 중",
    unknown_error: "알 수 없는 오류",
    your_camera_and_mic: "내 카메라와 마이크",
    camera_is_off: "카메라가 꺼져 있습니다",
    camera: "카메라",
    microphone: "마이크",
    speaker: "스피커",
    mic_level: "마이크 음량",
    allow_in_chrome:
        "허용하려면 주소창 왼쪽의 아이콘을 눌러 카메라와 마이크를 허용으로 바꾼 뒤 이 \
                      페이지를 새로고침하세요.",
    allow_in_firefox:
        "허용하려면 주소창에서 줄이 그어진 카메라나 마이크 아이콘을 눌러 차단을 해제한 \
                       뒤 이 페이지를 새로고침하세요.",
    allow_in_safari:
        "허용하려면 Safari › 이 웹 사이트 설정에서 카메라와 마이크를 허용으로 바꾼 뒤 이 \
                      페이지를 새로고침하세요.",
    plug_in_device: "카메라나 마이크를 연결하세요. 연결하면 바로 여기에 나타납니다.",
    close_other_apps: "다른 앱이나 탭이 장치를 쓰고 있습니다. 그쪽을 닫고 장치를 다시 선택하세요.",
    device_not_switched: |why| format!("장치를 바꾸지 못했습니다({why}). 이전 장치를 계속 씁니다."),
    share_screen: "화면 공유",
    stop_sharing: "공유 중지",
    screen_of: |name| format!("{name}님의 화면"),
    device_settings: "장치",
    device_lost: |kind, name| format!("{kind} 연결이 끊겨 {name}(으)로 바꿨습니다."),
    device_lost_none: |kind| format!("{kind} 연결이 끊겼고 다른 장치가 없습니다."),
    speaker_view: "발표자 보기",
    pin: |name| format!("{name} 고정"),
    unpin: |name| format!("{name} 고정 해제"),
    shrink_self: "내 화면을 구석에 작게",
    auto_lower_hand: "말하면 손 자동으로 내리기",
    react: "반응 보내기",
    shortcuts: "단축키",
    shortcut_name: |shortcut| match shortcut {
        Shortcut::Mic => "마이크 켜기/끄기",
        Shortcut::Camera => "카메라 켜기/끄기",
        Shortcut::Share => "화면 공유 시작/중지",
        Shortcut::Hand => "손 들기/내리기",
        Shortcut::Chat => "채팅 열기/닫기",
        Shortcut::Layout => "발표자 보기/바둑판 보기",
        Shortcut::Help => "이 목록",
    },
    shortcuts_hint: "글을 입력하는 칸에 있을 때를 빼고 통화 화면 어디서나 됩니다.",
    close: "닫기",
    picture_in_picture: "화면 속 화면",
    reaction_name: |reaction| match reaction {
        Reaction::ThumbsUp => "좋아요",
        Reaction::Clap => "박수",
        Reaction::Laugh => "웃음",
        Reaction::Heart => "하트",
        Reaction::Party => "축하",
        Reaction::Wow => "놀람",
    },

    search_placeholder: "검색: 단어, 한글, 초성(ㅎㄱ)",
    search_label: "메시지 검색: 단어, 한글, 또는 ㅎㄱ 같은 초성",
    close_chat: "채팅 닫기",
    search_results: "검색 결과",
    searching: "검색하는 중…",
    search_failed: |e| format!("검색하지 못했습니다: {e}"),
    no_matches: |q| format!("“{q}” 검색 결과가 없습니다."),
    load_earlier: "이전 메시지 불러오기",
    no_messages_yet: "아직 메시지가 없습니다. 먼저 인사해 보세요!",
    new_messages_below: "새 메시지 ↓",
    new_messages: "새 메시지",
    you: "나",
    sending: "보내는 중…",
    waiting_for_connection: "연결을 기다리는 중…",
    retry: "다시 보내기",
    discard: "버리기",
    emoji: "이모지",
    insert_emoji: "이모지 넣기",
    message_placeholder: "메시지 (Shift+Enter로 줄 바꿈)",
    message: "메시지",
    send: "보내기",
    type_a_message: "먼저 메시지를 입력하세요.",
    message_too_long: |max| format!("메시지는 {max}자까지 쓸 수 있습니다."),

    profiles_need_sign_in:
        "프로필은 로그인한 사람만 쓸 수 있습니다. 게스트는 이름만으로 참여합니다.",
    saving: "저장하는 중…",
    uploading: "올리는 중…",
    name_saved: "이름을 저장했습니다.",
    picture_saved: "사진을 저장했습니다.",
    picture_label: "프로필 사진(PNG, JPEG, WebP, 2MB까지)",
    display_name: "표시 이름",
    save: "저장",
    back_to_confab: "Confab으로 돌아가기",
    saved_but_stale: |e| format!("저장했지만 페이지에 반영하지 못했습니다: {e}"),
    file_empty: "빈 파일입니다.",
    image_too_large: |tenths| {
        format!(
            "이 이미지는 {}.{}MB입니다. 프로필 사진은 2MB까지 올릴 수 있습니다.",
            tenths / 10,
            tenths % 10
        )
    },
    wrong_image_type: "PNG, JPEG, WebP 이미지를 고르세요.",

    network_error: "서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 다시 시도하세요.",
    unexpected_answer: "서버가 이 페이지가 이해할 수 없는 응답을 보냈습니다.",
    signed_out: "로그아웃되었습니다. 다시 로그인하세요.",
    http_bad_request: "서버가 요청을 거부했습니다.",
    http_forbidden: "여기서는 허용되지 않습니다.",
    http_not_found: "찾을 수 없습니다.",
    http_too_large: "너무 큽니다.",
    http_unsupported_type: "지원하지 않는 파일 형식입니다.",
    http_too_many: "요청이 너무 많습니다. 잠시 후 다시 시도하세요.",
    http_upstream: "로그인 제공자가 제대로 응답하지 않았습니다. 다시 시도하세요.",
    http_server: "서버에 문제가 생겼습니다. 다시 시도하세요.",
    frame_error: |code| match code {
        ErrorCode::RateLimited => {
            "보내지 못했습니다: 한꺼번에 너무 많이 보냈습니다. 다시 시도하세요."
        }
        ErrorCode::TooLarge => "보내지 못했습니다: 메시지가 너무 깁니다.",
        ErrorCode::InvalidField => "보내지 못했습니다: 서버가 이 메시지를 거부했습니다.",
        ErrorCode::Unsupported => "이 서버는 아직 그 기능을 지원하지 않습니다.",
        ErrorCode::RoomFull => "방이 가득 찼습니다.",
        ErrorCode::SignInRequired => "이 방은 로그인한 사람만 참여할 수 있습니다.",
        ErrorCode::Unauthorized => "세션이 끝났습니다. 다시 로그인하세요.",
        ErrorCode::Internal => "서버에 문제가 생겼습니다. 다시 시도하세요.",
        ErrorCode::Forbidden => "호스트나 공동 호스트만 할 수 있고, 호스트에게는 할 수 없습니다.",
        ErrorCode::SeatLimit => "이미 다른 두 곳에서 이 방에 들어와 있습니다.",
        ErrorCode::Removed => "호스트가 당신을 이 방에서 내보냈습니다.",
        ErrorCode::Locked => "이 방은 잠겨 있습니다.",
        ErrorCode::Denied => "호스트가 들여보내 주지 않았습니다.",
        ErrorCode::BadJson
        | ErrorCode::UnknownType
        | ErrorCode::UnknownPeer
        | ErrorCode::BinaryFrame => "서버가 이 페이지가 보낸 내용을 읽지 못했습니다.",
    },
};
