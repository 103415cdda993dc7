//! `Gov-Client-Device-ID`: a random UUID made once per device and kept in the data directory,
//! made again only if someone deletes it (or it no longer reads as one).

use std::io;
use std::path::Path;

use uuid::Uuid;

const FILE: &str = "device-id";

pub fn load_or_create(dir: &Path) -> io::Result<Uuid> {
    let path = dir.join(FILE);
    if let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(id) = Uuid::try_parse(text.trim())
        && !id.is_nil()
        && !id.is_max()
    {
        return Ok(id);
    }
    std::fs::create_dir_all(dir)?;
    let id = Uuid::new_v4();
    // Written whole under another name, then renamed: a reader never sees half an ID.
    let tmp = dir.join(format!("{FILE}.{}", std::process::id()));
    std::fs::write(&tmp, id.to_string())?;
    // Owner-only, like everything else in the data directory.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        assert_eq!(load_or_create(dir.path()).unwrap(), first);
        std::fs::remove_file(dir.path().join(FILE)).unwrap();
        assert_ne!(load_or_create(dir.path()).unwrap(), first);
    }
}
