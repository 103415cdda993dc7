//! The data dir: settings, test users and the embedded HMRC's database, per environment.
//! Files holding secrets are written owner-only (0600) and atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::output::CliError;

/// The data dir to use: `--data-dir`, or the OS user's data dir.
pub fn resolve(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    let dir = given
        .or_else(|| dirs::data_dir().map(|d| d.join("mtd")))
        .ok_or_else(|| {
            CliError::usage("cannot find a data dir for this user").hint("pass --data-dir DIR")
        })?;
    ensure_dir(&dir)?;
    Ok(dir)
}

/// Creates `dir` (and parents) readable by the owner only; an existing folder is left as it is.
pub fn ensure_dir(dir: &Path) -> Result<(), CliError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes JSON to `path` atomically (temp file, then rename) with mode 0600.
pub fn write_private_json(path: &Path, value: &impl Serialize) -> Result<(), CliError> {
    let dir = path
        .parent()
        .ok_or_else(|| CliError::new("io", "a file needs a folder"))?;
    ensure_dir(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // NamedTempFile is created 0600 on Unix.
    let body = serde_json::to_vec_pretty(value).map_err(|e| CliError::new("io", e.to_string()))?;
    tmp.write_all(&body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| CliError::from(e.error))?;
    Ok(())
}

/// Reads JSON from `path`; `None` if it does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, CliError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            CliError::new("io", format!("{} is damaged: {e}", path.display()))
                .hint("move it aside and run the command again")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/secret.json");
        write_private_json(&path, &serde_json::json!({"k": "v"})).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let back: serde_json::Value = read_json(&path).unwrap().unwrap();
        assert_eq!(back["k"], "v");
        assert!(
            read_json::<serde_json::Value>(&dir.path().join("none.json"))
                .unwrap()
                .is_none()
        );
    }
}
