//! Fresh TURN credentials before the old ones expire: `/api/ice` again at 80 % of their life,
//! applied with `setConfiguration` (servers and transport policy) to every peer connection and
//! used for new ones.

use confab_protocol::IceResponse;
use gloo_timers::callback::Timeout;
use wasm_bindgen_futures::spawn_local;

use super::peer::ice_servers::{refresh_delay_ms, RelayStatus, MIN_REFRESH_MS};
use super::{rtc_configuration, Call, CallEvent};
use crate::{api, session};

impl Call {
    /// Uses `ice` from now on (new peer connections and existing ones), tells the view whether
    /// a relay is available, and plans the next refresh. A relay that is back after being
    /// unavailable under relay-only restarts ICE on the links that never came up.
    pub(super) fn apply_ice(&self, ice: &IceResponse) {
        let config = rtc_configuration(ice);
        let status = RelayStatus::of(ice);
        let restart = status.restarts_links(self.inner.relay_status.replace(Some(status)));
        for session in self.inner.peers.borrow().values() {
            session.set_configuration(&config);
            if restart {
                session.restart_ice_unless_connected();
            }
        }
        *self.inner.rtc_config.borrow_mut() = config;
        // A spare made with the old servers is replaced (its pooled candidates would use them).
        let old_spare = self.inner.spare.borrow_mut().take();
        if let Some(old) = old_spare {
            old.close();
            self.keep_spare();
        }
        self.emit(CallEvent::Relay(status));
        self.schedule_ice_refresh(refresh_delay_ms(ice.expires_at, js_sys::Date::now()));
    }

    fn schedule_ice_refresh(&self, delay_ms: u32) {
        let weak = std::rc::Rc::downgrade(&self.inner);
        let timeout = Timeout::new(delay_ms, move || {
            if let Some(inner) = weak.upgrade() {
                spawn_local(Call { inner }.refresh_ice());
            }
        });
        *self.inner.ice_refresh.borrow_mut() = Some(timeout);
    }

    /// One refresh; a refused token is renewed once (the call's renewal, which the room socket
    /// gets too) and the request repeated; a failure keeps the current servers and tries again
    /// soon.
    async fn refresh_ice(self) {
        let result = session::retry_once_on_401(
            self.inner.token.current(),
            |token| async move { api::ice_servers(&token).await },
            || self.renew_token(),
        )
        .await
        .map(|(_, ice)| ice);
        if self.inner.left.get() {
            return;
        }
        match result {
            Ok(ice) => self.apply_ice(&ice),
            Err(error) => {
                web_sys::console::warn_1(&format!("could not refresh ICE servers: {error}").into());
                self.schedule_ice_refresh(MIN_REFRESH_MS as u32);
            }
        }
    }
}
