//! Input rules shared by the browser (inline messages) and the server (the
//! rules that count). The server always re-checks.

use super::AppError;

/// The one check of free text a person writes (titles, rationales,
/// comments, descriptions): at most `max` characters, and something other
/// than blanks when `required`. `message` is shown on `field` otherwise.
pub fn check_text(
    field: &str,
    text: &str,
    required: bool,
    max: usize,
    message: impl Into<String>,
) -> Result<(), AppError> {
    if (required && text.trim().is_empty()) || text.chars().count() > max {
        return Err(AppError::invalid(field, message));
    }
    Ok(())
}

/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted: generous for passphrases, bounded for hashing.
pub const PASSWORD_MAX: usize = 256;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;

/// Frequently breached passwords of at least eight characters, lower-case.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Normalises an email for storage and comparison (trimmed, lower-case).
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn check_email(email: &str) -> Result<(), String> {
    let email = email.trim();
    if email.is_empty() {
        return Err("Enter your email address.".into());
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(format!(
            "An email address has at most {EMAIL_MAX} characters."
        ));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err("Enter an email address like name@example.org.".into())
    }
}

pub fn check_display_name(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter the name other panel members and moderators will see.".into());
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(format!("A name has at most {DISPLAY_NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.".into());
    }
    Ok(())
}

/// Length limits, the common-password list, and no reuse of the email or
/// name the account is registered with.
pub fn check_password(password: &str, email: &str, display_name: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(format!("Use at least {PASSWORD_MIN} characters."));
    }
    if len > PASSWORD_MAX {
        return Err(format!("Use at most {PASSWORD_MAX} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|common| common == lower) {
        return Err("This password is among the most common ones; choose another.".into());
    }
    let email = normalize_email(email);
    let local = email.split('@').next().unwrap_or_default();
    let name = display_name.trim().to_lowercase();
    if lower == email
        || (!local.is_empty() && lower == local)
        || (!name.is_empty() && lower == name)
    {
        return Err("Do not use your email address or name as your password.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_counts_characters_and_refuses_blank_when_required() {
        assert!(check_text("body", "ééé", true, 3, "m").is_ok());
        assert!(check_text("body", "éééé", true, 3, "m").is_err());
        assert!(check_text("body", "", false, 3, "m").is_ok());
        let e = check_text("body", " \t ", true, 3, "Write something.").unwrap_err();
        assert_eq!(e, AppError::invalid("body", "Write something."));
    }

    #[test]
    fn password_length_bounds() {
        assert!(check_password("short7!", "a@b.org", "A").is_err());
        assert!(check_password("eight-ch", "a@b.org", "A").is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX), "a@b.org", "A").is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX + 1), "a@b.org", "A").is_err());
        // Characters, not bytes: eight multi-byte letters are eight characters.
        assert!(check_password("ééééééééé", "a@b.org", "A").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in [
            "password",
            "PASSWORD",
            "12345678",
            "qwertyuiop",
            "Password1",
        ] {
            assert!(check_password(common, "a@b.org", "A").is_err(), "{common}");
        }
        assert!(check_password("amber-lattice-quorum", "a@b.org", "A").is_ok());
    }

    #[test]
    fn password_cannot_be_email_or_name() {
        assert!(check_password("ana.lopez@uni.example", "Ana.Lopez@uni.example", "Ana").is_err());
        assert!(check_password("ana.lopez", "ana.lopez@uni.example", "Ana").is_err());
        assert!(check_password("ana lopez garcia", "x@y.org", "Ana Lopez Garcia").is_err());
    }

    #[test]
    fn emails() {
        assert!(check_email("someone@example.org").is_ok());
        assert!(check_email("  Someone@Example.org ").is_ok());
        for bad in [
            "",
            "no-at-sign",
            "@example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            normalize_email("  Someone@Example.ORG "),
            "someone@example.org"
        );
    }

    #[test]
    fn display_names() {
        assert!(check_display_name("Dr. Amina Diallo").is_ok());
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name(&"n".repeat(DISPLAY_NAME_MAX + 1)).is_err());
        assert!(check_display_name("tab\there").is_err());
    }
}
