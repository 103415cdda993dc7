//! The token store: one file per environment and profile, sealed with ChaCha20-Poly1305 under a
//! key kept in its own owner-only file. Files are written owner-only (0600) and atomically (a
//! temporary file renamed over the old), so a reader sees the old record or the new, never half.
//! A lock file next to each record serialises refreshes across processes.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use oauth2::{AccessToken, RefreshToken};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use the token store at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the token record {0} cannot be opened with this data dir's key (damaged, moved, or from another machine): run `mtd link` again"
    )]
    Unreadable(PathBuf),
    #[error("the token store's key {0} is damaged: move it aside and run `mtd link` again")]
    BadKey(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A linked identity's tokens and what is known about the link. `Debug` shows no token.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTokens {
    #[serde(with = "secret_access")]
    pub access_token: AccessToken,
    #[serde(with = "secret_refresh")]
    pub refresh_token: RefreshToken,
    /// On this machine's clock, from `expires_in` when the token was issued.
    pub access_token_expires_at: DateTime<Utc>,
    pub scopes: String,
    /// When authority was granted (on this machine's clock); it ends 18 months later.
    pub granted_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub affinity_group: Option<String>,
    /// The business's own NINO, when known (HMRC's journey does not say who signed in).
    #[serde(default)]
    pub nino: Option<String>,
    /// An agent's Agent Reference Number, when known.
    #[serde(default)]
    pub arn: Option<String>,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("access_token_expires_at", &self.access_token_expires_at)
            .field("scopes", &self.scopes)
            .field("granted_at", &self.granted_at)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

// The record is encrypted as a whole, so its tokens are written as plain strings inside it.
mod secret_access {
    use oauth2::AccessToken;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(t: &AccessToken, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.secret())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AccessToken, D::Error> {
        String::deserialize(d).map(AccessToken::new)
    }
}
mod secret_refresh {
    use oauth2::RefreshToken;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(t: &RefreshToken, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.secret())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RefreshToken, D::Error> {
        String::deserialize(d).map(RefreshToken::new)
    }
}

/// The store under one folder (the data dir's `tokens/`), with its key.
#[derive(Clone)]
pub struct TokenStore {
    dir: PathBuf,
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

const KEY_FILE: &str = "store.key";

impl TokenStore {
    /// Opens the store in `dir`, making the folder and a fresh key on first use.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        private_dir(dir)?;
        let key_path = dir.join(KEY_FILE);
        let key = match fs::read(&key_path) {
            Ok(k) if k.len() == 32 => k,
            Ok(_) => return Err(StoreError::BadKey(key_path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let k: [u8; 32] = rand::random();
                // Another process may be making the key at the same moment: first one wins.
                match write_new(&key_path, &k) {
                    Ok(()) => k.to_vec(),
                    Err(_) => fs::read(&key_path).map_err(io(&key_path))?,
                }
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: key_path,
                    source: e,
                });
            }
        };
        Ok(Self {
            dir: dir.to_owned(),
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        })
    }

    fn aad(env: &str, profile: &str) -> Vec<u8> {
        format!("mtd-tokens\n{env}\n{profile}").into_bytes()
    }

    fn record_path(&self, env: &str, profile: &str) -> PathBuf {
        self.dir
            .join(format!("{}.{}.tokens", file_safe(env), file_safe(profile)))
    }

    /// The path of the record (for tests and messages; its content is sealed).
    pub fn path(&self, env: &str, profile: &str) -> PathBuf {
        self.record_path(env, profile)
    }

    pub fn load(&self, env: &str, profile: &str) -> Result<Option<StoredTokens>, StoreError> {
        let path = self.record_path(env, profile);
        let sealed = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io { path, source: e }),
        };
        if sealed.len() < 12 {
            return Err(StoreError::Unreadable(path));
        }
        let (nonce, body) = sealed.split_at(12);
        // The environment and profile are sealed in with the record, so a record moved to another
        // profile's file does not open.
        let aad = Self::aad(env, profile);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Unreadable(path.clone()))?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|_| StoreError::Unreadable(path))
    }

    /// Replaces the record atomically; the old one stays until the new one is on disk.
    pub fn save(&self, env: &str, profile: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        let path = self.record_path(env, profile);
        let plain = serde_json::to_vec(tokens).expect("plain struct serialises");
        let nonce: [u8; 12] = rand::random();
        let mut sealed = nonce.to_vec();
        let aad = Self::aad(env, profile);
        sealed.extend(
            self.cipher
                .encrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &plain,
                        aad: &aad,
                    },
                )
                .expect("in-memory encryption"),
        );
        replace_atomically(&path, &sealed)
    }

    pub fn remove(&self, env: &str, profile: &str) -> Result<bool, StoreError> {
        let path = self.record_path(env, profile);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Holds the record's lock file exclusively until the guard drops: one refresh at a time,
    /// across processes.
    pub fn lock(&self, env: &str, profile: &str) -> Result<RecordLock, StoreError> {
        let path = self.record_path(env, profile).with_extension("lock");
        let file = private_options()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        file.lock().map_err(io(&path))?;
        Ok(RecordLock(file))
    }
}

/// An exclusive hold on a record's lock file; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct RecordLock(File);

impl Drop for RecordLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

fn private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    Ok(())
}

/// Creates `path` (failing if it exists) owner-only with `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut f = private_options()
        .create_new(true)
        .write(true)
        .open(path)
        .map_err(io(path))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))
}

fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredTokens {
        StoredTokens {
            access_token: AccessToken::new("a".repeat(32)),
            refresh_token: RefreshToken::new("r".repeat(32)),
            access_token_expires_at: Utc::now(),
            scopes: "hello".into(),
            granted_at: Utc::now(),
            user_id: Some("123456789012".into()),
            affinity_group: Some("Individual".into()),
            nino: None,
            arn: None,
        }
    }

    #[test]
    fn sealed_owner_only_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open(&dir.path().join("tokens")).unwrap();
        store.save("embedded", "default", &sample()).unwrap();
        let path = store.path("embedded", "default");
        let raw = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            !text.contains(&"a".repeat(32)) && !text.contains(&"r".repeat(32)),
            "no token in the clear"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            let key = dir.path().join("tokens").join(KEY_FILE);
            assert_eq!(
                fs::metadata(key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let back = store.load("embedded", "default").unwrap().unwrap();
        assert_eq!(back.access_token.secret(), &"a".repeat(32));
        assert!(
            !format!("{back:?}").contains("aaaa"),
            "Debug shows no token"
        );
        assert!(store.load("embedded", "other").unwrap().is_none());
        // A second opening finds the same key.
        let again = TokenStore::open(&dir.path().join("tokens")).unwrap();
        assert!(again.load("embedded", "default").unwrap().is_some());
    }

    #[test]
    fn a_tampered_record_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open(dir.path()).unwrap();
        store.save("embedded", "default", &sample()).unwrap();
        let path = store.path("embedded", "default");
        let mut raw = fs::read(&path).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        fs::write(&path, raw).unwrap();
        assert!(matches!(
            store.load("embedded", "default"),
            Err(StoreError::Unreadable(_))
        ));
    }

    #[test]
    fn a_record_moved_to_another_profile_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open(dir.path()).unwrap();
        store.save("embedded", "alice", &sample()).unwrap();
        fs::copy(
            store.path("embedded", "alice"),
            store.path("embedded", "bob"),
        )
        .unwrap();
        assert!(matches!(
            store.load("embedded", "bob"),
            Err(StoreError::Unreadable(_))
        ));
        assert!(store.load("embedded", "alice").unwrap().is_some());
    }
}
