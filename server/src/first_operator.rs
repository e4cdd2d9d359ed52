//! The first operator's credentials, handed out once when a start created them: on the console
//! when it is a terminal, otherwise in a file only the server's user can read.

use anyhow::Context as _;

use crate::settings::Settings;

/// Where the first operator's password is written when the console is not a terminal: beside
/// the SQLite file, or in `data/`.
pub fn first_operator_file(settings: &Settings) -> std::path::PathBuf {
    let db = settings
        .database_url
        .sqlite_path()
        .map(std::path::Path::new)
        .and_then(|path| path.parent())
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("data"));
    db.join("first-operator-password.txt")
}

/// What is printed about a newly created first operator. With `to_terminal` it holds the
/// password; otherwise the password goes to [`first_operator_file`] (mode 0600) and the
/// notice names that file.
pub fn first_operator_notice(
    email: &str,
    password: &str,
    settings: &Settings,
    to_terminal: bool,
) -> anyhow::Result<String> {
    let line = "=".repeat(64);
    let sign_in = format!("{}/login", settings.public_url);
    if to_terminal {
        return Ok(format!(
            "\n{line}\n  Switchboard created the first operator.\n\n    email:    {email}\n    password: {password}\n\n  It is shown only this once. Sign in at {sign_in}\n{line}\n"
        ));
    }
    let path = first_operator_file(settings);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_private(
        &path,
        &format!("email:    {email}\npassword: {password}\nsign in:  {sign_in}\n"),
    )?;
    Ok(format!(
        "\n{line}\n  Switchboard created the first operator ({email}).\n\n  Its password is in {} (readable by this user only).\n  Sign in at {sign_in}, then delete the file.\n{line}\n",
        path.display()
    ))
}

/// Writes `text` to a file that only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        // A file left from before keeps its mode on open; make sure it is private too.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_terminal_the_first_password_goes_to_a_private_file_not_the_console() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("db").join("s.db").display());
        let settings =
            Settings::from_lookup(|key| (key == "DATABASE_URL").then(|| url.clone())).unwrap();
        let notice =
            first_operator_notice("a@example.com", "s3cret-pass", &settings, false).unwrap();
        let path = first_operator_file(&settings);
        assert_eq!(
            path,
            dir.path().join("db").join("first-operator-password.txt")
        );
        assert!(!notice.contains("s3cret-pass"), "{notice}");
        assert!(notice.contains(&path.display().to_string()), "{notice}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("s3cret-pass"));
        let shown = first_operator_notice("a@example.com", "s3cret-pass", &settings, true).unwrap();
        assert!(shown.contains("s3cret-pass"));
    }
}
