//! Credentials: argon2id password hashes, random tokens stored only as hashes, the CSRF
//! token that goes with a session, and the lockout policy. No IO and no HTTP.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed logins in a row before the account locks.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// How long a login session lasts, in seconds.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// An argon2id PHC string with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token (shown once) and the hash to store.
pub fn new_token(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}_{}", hex(&bytes));
    let hash = token_hash(&token);
    (token, hash)
}

/// Tokens are stored as SHA-256: they are long and random, so no salt or slow hash is
/// needed, and a stolen database does not give working tokens.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session: derived from the session token, which the browser keeps
/// HttpOnly, so a page on another site can neither read nor compute it.
pub fn csrf_for(session_token: &str) -> String {
    hex(&Sha256::digest(format!("csrf:{session_token}").as_bytes()))
}

/// Whether a login may be tried now, given the account's lock.
pub fn locked(locked_until: Option<i64>, now: i64) -> bool {
    locked_until.is_some_and(|t| t > now)
}

/// After a failed login: the lock to set, if this failure reaches the limit.
pub fn lock_after_failure(failed_before: i64, now: i64) -> Option<i64> {
    (failed_before + 1 >= MAX_FAILURES).then_some(now + LOCKOUT_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("korrekt hest batteri").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("korrekt hest batteri", &h));
        assert!(!verify_password("korrekt hest batteri!", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(matches!(
            hash_password("kort"),
            Err(AuthError::WeakPassword)
        ));
    }

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, ha) = new_token("es");
        let (b, _) = new_token("es");
        assert_ne!(a, b);
        assert!(a.starts_with("es_") && a.len() == 67);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(ha, a);
        assert_ne!(csrf_for(&a), csrf_for(&b));
    }

    #[test]
    fn the_fifth_failure_locks_the_account_for_a_while() {
        assert_eq!(lock_after_failure(3, 100), None);
        assert_eq!(lock_after_failure(4, 100), Some(100 + LOCKOUT_SECONDS));
        assert!(locked(Some(200), 100));
        assert!(!locked(Some(50), 100));
        assert!(!locked(None, 100));
    }
}
