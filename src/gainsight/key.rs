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
    #[error(
        "the {0} contains {1}, which no Gainsight key has (a word processor's quotes or dashes?); copy it again exactly as Gainsight shows it"
    )]
    NotAscii(&'static str, String),
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
    if trimmed.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(KeyError::Control(what));
    }
    // Keys travel in an HTTP header, which carries visible ASCII only.
    if let Some(c) = trimmed.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(KeyError::NotAscii(what, format!("\"{c}\" (U+{:04X})", c as u32)));
    }
    let notice = (trimmed.len() != raw.len()).then(|| format!("Removed spaces around the {what}."));
    Ok(CleanKey { key: Secret::new(trimmed), notice })
}

/// Characters that show as nothing (or reorder the text) but are not control characters: zero-width
/// spaces and joiners, the byte-order mark, bidirectional marks and overrides.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{00ad}')
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

    /// Hostile and mistaken keys, as pasted: each kept (trimmed or not) or refused for its reason.
    #[test]
    fn a_table_of_hostile_and_mistaken_keys() {
        use KeyError::*;
        const K: &str = "Access Key";
        enum Want {
            Kept(&'static str, bool),
            Refused(fn(&KeyError) -> bool),
        }
        use Want::*;
        let long = "k".repeat(MAX_KEY_LEN + 1);
        let ten_thousand = "a1".repeat(5000);
        let cases: Vec<(&str, Want)> = vec![
            ("abc123", Kept("abc123", false)),
            ("  abc123  ", Kept("abc123", true)),
            ("\tabc123\r\n", Kept("abc123", true)),
            ("\u{feff}abc123", Kept("abc123", true)),
            ("abc123\u{feff}", Kept("abc123", true)),
            ("\u{a0}abc123\u{a0}", Kept("abc123", true)),
            ("\u{3000}abc123", Kept("abc123", true)),
            ("ab-cd_ef.gh~ij", Kept("ab-cd_ef.gh~ij", false)),
            ("a+b/c=", Kept("a+b/c=", false)),
            ("'abc123'", Kept("'abc123'", false)),
            ("", Refused(|e| matches!(e, Empty(_)))),
            ("   ", Refused(|e| matches!(e, Empty(_)))),
            ("\n\n", Refused(|e| matches!(e, Empty(_)))),
            ("\u{feff}", Refused(|e| matches!(e, Empty(_)))),
            ("abc 123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\t123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\n123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\r\n123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\u{a0}123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\u{2028}123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("Accesskey: abc123", Refused(|e| matches!(e, InnerWhitespace(_)))),
            ("abc\u{0}123", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{1b}[2J", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{7}", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{7f}", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{85}x", Refused(|e| matches!(e, InnerWhitespace(_) | Control(_)))),
            ("abc\u{200b}123", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{200d}123", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{2060}123", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{202e}321", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{2066}123", Refused(|e| matches!(e, Control(_)))),
            ("abc\u{ad}123", Refused(|e| matches!(e, Control(_)))),
            ("\u{201c}abc123\u{201d}", Refused(|e| matches!(e, NotAscii(_, c) if c.contains("U+201C")))),
            ("abc\u{2013}123", Refused(|e| matches!(e, NotAscii(_, c) if c.contains("U+2013")))),
            ("clé-123", Refused(|e| matches!(e, NotAscii(_, c) if c.contains("U+00E9")))),
            ("ключ", Refused(|e| matches!(e, NotAscii(..)))),
            ("abc\u{ff10}", Refused(|e| matches!(e, NotAscii(..)))),
            ("🔑abc", Refused(|e| matches!(e, NotAscii(..)))),
            (long.as_str(), Refused(|e| matches!(e, TooLong(_, n) if *n == MAX_KEY_LEN + 1))),
            (ten_thousand.as_str(), Refused(|e| matches!(e, TooLong(_, 10_000)))),
        ];
        assert!(cases.len() >= 40, "{} cases", cases.len());
        for (raw, want) in cases {
            let got = normalize_key(raw, K);
            match (want, got) {
                (Kept(key, notice), Ok(k)) => {
                    assert_eq!(k.key.expose(), key, "{raw:?}");
                    assert_eq!(k.notice.is_some(), notice, "{raw:?}: trimming is reported");
                }
                (Refused(is), Err(e)) => {
                    assert!(is(&e), "{raw:?} refused for another reason: {e:?}");
                    assert!(
                        !e.to_string().contains(raw) || raw.len() < 3,
                        "the message does not echo the key: {e}"
                    );
                }
                (Kept(..), Err(e)) => panic!("{raw:?} refused: {e:?}"),
                (Refused(_), Ok(k)) => panic!("{raw:?} kept as {:?}", k.key.expose()),
            }
        }
    }
}
