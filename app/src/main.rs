fn main() {
    // A panic's message and place go to the console. (console_error_panic_hook would add the JS
    // stack, which in this name-stripped release build is only function numbers, for ~0.5 KB gz.)
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    leptos::mount::mount_to_body(confab_app::App);
    // index.html's "loading" placeholder goes once the app is on screen.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}
