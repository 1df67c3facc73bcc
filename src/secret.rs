//! Secrets as a type: a key can be used, masked or handed to the keychain, but never printed,
//! logged or serialized by accident.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the one place that needs it (an auth header, the keychain).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `••••3f9a`: enough to recognise a key, too little to use it.
    pub fn masked(&self) -> String {
        mask_hint(&self.hint())
    }

    /// The last four characters, stored beside the connection so cards show a mask without the keychain.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return String::new();
        }
        chars[chars.len() - 4..].iter().collect()
    }
}

pub fn mask_hint(hint: &str) -> String {
    format!("••••{hint}")
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("abcdefghijklmnop3f9a");
        assert_eq!(format!("{s}"), "<redacted>");
        assert!(!format!("{s:?}").contains("abcdef"));
        assert_eq!(s.masked(), "••••3f9a");
        assert_eq!(Secret::new("short").masked(), "••••", "short keys reveal nothing");
    }
}
