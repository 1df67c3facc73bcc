//! Key handling: trim what copy-paste adds, refuse what no real key contains.

use crate::secret::Secret;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {0} contains spaces or line breaks inside it; copy it again exactly as Gainsight shows it")]
    InnerWhitespace(&'static str),
    #[error("the {0} contains invisible control characters; copy it again exactly as Gainsight shows it")]
    Control(&'static str),
    #[error("the {0} is far longer than any Gainsight key ({1} characters); copy just the key")]
    TooLong(&'static str, usize),
}

/// Gainsight's keys and secrets are well under this; anything longer was pasted with something else
/// (and would only come back as an opaque "request header too large").
pub const MAX_KEY_LEN: usize = 1024;

/// A key ready to send, and a notice if surrounding whitespace was trimmed.
pub struct CleanKey {
    pub key: Secret,
    pub notice: Option<String>,
}

/// `what` names the field in messages ("Access Key", "API key", "client secret").
pub fn normalize_key(raw: &str, what: &'static str) -> Result<CleanKey, KeyError> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Err(KeyError::Empty(what));
    }
    if trimmed.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong(what, trimmed.chars().count()));
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err(KeyError::InnerWhitespace(what));
    }
    if trimmed.chars().any(|c| c.is_control() || c == '\u{200b}' || c == '\u{feff}') {
        return Err(KeyError::Control(what));
    }
    let notice = (trimmed.len() != raw.len()).then(|| format!("Removed spaces around the {what}."));
    Ok(CleanKey { key: Secret::new(trimmed), notice })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_reports_and_rejects() {
        let k = normalize_key("  abc123\n", "Access Key").expect("trimmed");
        assert_eq!(k.key.expose(), "abc123");
        assert!(k.notice.is_some(), "trimming must be reported");
        assert!(normalize_key("abc123", "Access Key").expect("clean").notice.is_none());
        let huge = "k".repeat(1_000_000);
        assert_eq!(
            normalize_key(&huge, "Access Key").err(),
            Some(KeyError::TooLong("Access Key", 1_000_000))
        );
        assert!(normalize_key(&"k".repeat(MAX_KEY_LEN), "Access Key").is_ok(), "a long key still fits");
        assert_eq!(normalize_key("   ", "Access Key").err(), Some(KeyError::Empty("Access Key")));
        assert_eq!(
            normalize_key("abc 123", "Access Key").err(),
            Some(KeyError::InnerWhitespace("Access Key"))
        );
        assert_eq!(normalize_key("abc\u{7}123", "Access Key").err(), Some(KeyError::Control("Access Key")));
        assert_eq!(
            normalize_key("abc\u{200b}123", "Access Key").err(),
            Some(KeyError::Control("Access Key"))
        );
    }
}
