//! Owner-only files: the data folder holds ARR, CSM names and emails, so the folder, the lock
//! folder, the database with its WAL and shared-memory files, the lock files and exports are
//! readable by this OS user alone (0700 folders, 0600 files on Unix), also when an older version
//! left them open to everyone.

use crate::error::{Error, ErrorKind, Result};
use std::path::Path;

fn io(what: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Database, format!("Could not restrict {} to this user: {e}.", what.display()))
}

/// Creates `dir` (and its parents) and makes it owner-only.
pub fn folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::new(ErrorKind::Database, format!("Could not create the folder {}: {e}.", dir.display()))
    })?;
    restrict(dir, 0o700)
}

/// Makes an existing file owner-only; a file that is not there is fine.
pub fn file(path: &Path) -> Result<()> {
    if path.exists() { restrict(path, 0o600) } else { Ok(()) }
}

/// Opens `path` for writing, created owner-only (or truncated, and made owner-only).
pub fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let f = options.open(path)?;
    restrict(path, 0o600).map_err(|e| std::io::Error::other(e.message))?;
    Ok(f)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<()> {
    // Elsewhere the user's profile folder is already private to the user.
    Ok(())
}
