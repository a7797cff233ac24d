//! The signed-in user's profile in their `Sessions` object: provider sign-in and profile edits.

use super::{SessionStore, SECRET_BYTES};
use crate::sql::{Sql, StoreError};
use crate::token::Identity;

impl<S: Sql> SessionStore<'_, S> {
    /// Records a provider sign-in and starts a new family. The provider's display name replaces
    /// the stored one unless the user chose their own; the image is kept (see
    /// [`SessionStore::set_profile`]). Returns the identity as stored, and the token.
    pub fn sign_in(
        &self,
        from_provider: &Identity,
        family: &str,
        secret: &[u8; SECRET_BYTES],
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<(Identity, String), StoreError> {
        self.db.transaction(|| {
            self.db.exec(
                "INSERT INTO session_user (id, user_id, name, guest) VALUES (1, ?, ?, 0)
                 ON CONFLICT (id) DO UPDATE SET guest = 0,
                   name = CASE WHEN name_chosen != 0 THEN name ELSE excluded.name END",
                &[
                    from_provider.user_id.as_str().into(),
                    from_provider.name.as_str().into(),
                ],
            )?;
            let token =
                self.start_family(&from_provider.user_id, family, secret, now_ms, lifetime_ms)?;
            let identity = self
                .identity()?
                .ok_or_else(|| StoreError::Corrupt("sign-in stored no user".into()))?;
            Ok((identity, token))
        })
    }

    /// Sets the display name (validated by the caller) and/or the image path. With
    /// `avatar_if_unset` the image is only set when there is none yet. `None` when this object
    /// holds no user (never signed in).
    pub fn set_profile(
        &self,
        name: Option<&str>,
        avatar: Option<&str>,
        avatar_if_unset: bool,
    ) -> Result<Option<Identity>, StoreError> {
        self.db.transaction(|| {
            if self.identity()?.is_none() {
                return Ok(None);
            }
            if let Some(name) = name {
                self.db.exec(
                    "UPDATE session_user SET name = ?, name_chosen = 1 WHERE id = 1",
                    &[name.into()],
                )?;
            }
            if let Some(avatar) = avatar {
                let sql = if avatar_if_unset {
                    "UPDATE session_user SET avatar = ? WHERE id = 1 AND avatar IS NULL"
                } else {
                    "UPDATE session_user SET avatar = ? WHERE id = 1"
                };
                self.db.exec(sql, &[avatar.into()])?;
            }
            self.identity()
        })
    }
}
