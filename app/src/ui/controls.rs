use leptos::prelude::*;

/// Mic, camera, chat, invite and leave buttons.
#[component]
pub fn Controls(
    mic_on: RwSignal<bool>,
    cam_on: RwSignal<bool>,
    can_send: Signal<bool>,
    on_toggle: Callback<()>,
    on_leave: Callback<()>,
    chat_open: Signal<bool>,
    unread: Signal<usize>,
    on_chat: Callback<()>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let invite = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let link = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let _ = window.navigator().clipboard().write_text(&link);
        copied.set(true);
    };
    view! {
        <nav class="controls">
            <button data-testid="mic-toggle" aria-pressed=move || mic_on.get().to_string()
                disabled=move || !can_send.get()
                on:click=move |_| { mic_on.update(|on| *on = !*on); on_toggle.run(()); }>
                {move || if mic_on.get() { "Mute" } else { "Unmute" }}
            </button>
            <button data-testid="cam-toggle" aria-pressed=move || cam_on.get().to_string()
                disabled=move || !can_send.get()
                on:click=move |_| { cam_on.update(|on| *on = !*on); on_toggle.run(()); }>
                {move || if cam_on.get() { "Stop video" } else { "Start video" }}
            </button>
            <button data-testid="chat-toggle" aria-pressed=move || chat_open.get().to_string()
                on:click=move |_| on_chat.run(())>
                "Chat"
                {move || (unread.get() > 0).then(|| view! {
                    <span class="unread" data-testid="chat-unread" aria-label="unread messages">{unread.get()}</span>
                })}
            </button>
            <button data-testid="invite-button" on:click=invite>
                {move || if copied.get() { "Link copied" } else { "Copy invite link" }}
            </button>
            <button data-testid="leave-button" class="danger" on:click=move |_| on_leave.run(())>"Leave"</button>
        </nav>
    }
}
