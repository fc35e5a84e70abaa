//! The review workflow's rules: who a user is, what a site's status may become and who may
//! move it there, and which municipality's sites a user may touch. No IO: the store and the
//! API ask these functions and record what they answer.

use serde::{Deserialize, Serialize};

/// A site's place in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Proposed,
    UnderReview,
    Recommended,
    Approved,
    Rejected,
    Built,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Proposed,
        Status::UnderReview,
        Status::Recommended,
        Status::Approved,
        Status::Rejected,
        Status::Built,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::UnderReview => "under_review",
            Status::Recommended => "recommended",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Built => "built",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.name() == s)
    }

    /// The statuses a site may move to from this one.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Proposed => &[Status::UnderReview, Status::Rejected],
            Status::UnderReview => &[Status::Recommended, Status::Rejected],
            Status::Recommended => &[Status::Approved, Status::Rejected],
            Status::Approved => &[Status::Built],
            Status::Rejected | Status::Built => &[],
        }
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Proposes and comments within the municipalities it is bound to.
    Municipality,
    /// Reviews everything and sets statuses.
    Coordinator,
    /// Manages users; may do what a coordinator may.
    Admin,
    /// Keeps the action programme: measures, statuses, KPI values, budget. Comments and
    /// votes on sites anywhere, but sets no site status.
    Secretariat,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Municipality => "municipality",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Municipality,
            Role::Coordinator,
            Role::Admin,
            Role::Secretariat,
        ]
        .into_iter()
        .find(|r| r.name() == s)
    }
}

/// Who is asking. `None` is an anonymous viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// Kommunenummer a municipality user works in.
    pub municipalities: Vec<String>,
}

/// Why an action is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("log in first: anonymous users can only read")]
    Anonymous,
    #[error("{user} works in {own}, not in municipality {wanted}")]
    OtherMunicipality {
        user: String,
        own: String,
        wanted: String,
    },
    #[error("only coordinators may set a status")]
    NotCoordinator,
    #[error("only admins may manage users")]
    NotAdmin,
    #[error("only the secretariat may change the action programme")]
    NotSecretariat,
    #[error("a site cannot move from {from} to {to}; from {from} it may move to {allowed}")]
    Transition {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("rejecting a site needs a reason")]
    ReasonRequired,
    #[error("unknown role '{0}'; use municipality, coordinator, secretariat or admin")]
    UnknownRole(String),
    #[error("a municipality user needs at least one kommunenummer (--kommune on the command line), e.g. 0301")]
    NoMunicipality,
    #[error("'{0}' is not a kommunenummer (four digits, e.g. 0301)")]
    BadKommunenummer(String),
    #[error("a user name has 1 to 64 characters")]
    BadUsername,
}

impl ReviewError {
    /// 401 for anonymous, 409 for a transition, 400 for bad input, 403 otherwise.
    pub fn status_code(&self) -> u16 {
        match self {
            ReviewError::Anonymous => 401,
            ReviewError::Transition { .. } => 409,
            e if e.parameter().is_some() => 400,
            _ => 403,
        }
    }

    /// The input at fault, for the errors that are about input.
    pub fn parameter(&self) -> Option<&'static str> {
        match self {
            ReviewError::ReasonRequired => Some("reason"),
            ReviewError::UnknownRole(_) => Some("role"),
            ReviewError::NoMunicipality | ReviewError::BadKommunenummer(_) => Some("kommuner"),
            ReviewError::BadUsername => Some("username"),
            _ => None,
        }
    }
}

fn signed_in(actor: Option<&Actor>) -> Result<&Actor, ReviewError> {
    actor.ok_or(ReviewError::Anonymous)
}

/// A municipality user writes only in its own municipalities; coordinators and admins
/// everywhere.
pub fn may_write_in(actor: Option<&Actor>, kommunenummer: &str) -> Result<(), ReviewError> {
    let a = signed_in(actor)?;
    match a.role {
        Role::Coordinator | Role::Admin | Role::Secretariat => Ok(()),
        Role::Municipality if a.municipalities.iter().any(|m| m == kommunenummer) => Ok(()),
        Role::Municipality => Err(ReviewError::OtherMunicipality {
            user: a.username.clone(),
            own: if a.municipalities.is_empty() {
                "no municipality".into()
            } else {
                a.municipalities.join(", ")
            },
            wanted: kommunenummer.to_string(),
        }),
    }
}

/// Whether `actor` may move a site from `from` to `to`, with `reason`.
pub fn may_set_status(
    actor: Option<&Actor>,
    from: Status,
    to: Status,
    reason: Option<&str>,
) -> Result<(), ReviewError> {
    let a = signed_in(actor)?;
    if !matches!(a.role, Role::Coordinator | Role::Admin) {
        return Err(ReviewError::NotCoordinator);
    }
    if !from.next().contains(&to) {
        let allowed = from.next().iter().map(|s| s.name()).collect::<Vec<_>>();
        return Err(ReviewError::Transition {
            from: from.name(),
            to: to.name(),
            allowed: if allowed.is_empty() {
                "nothing (it is final)".to_string()
            } else {
                allowed.join(", ")
            },
        });
    }
    if to == Status::Rejected && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ReviewError::ReasonRequired);
    }
    Ok(())
}

/// A new user's role and municipalities, checked: a known role, four-digit kommunenummer,
/// and at least one for a municipality user.
pub fn check_new_user(
    username: &str,
    role: &str,
    kommuner: &[String],
) -> Result<Role, ReviewError> {
    let name = username.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ReviewError::BadUsername);
    }
    let role = Role::parse(role).ok_or_else(|| ReviewError::UnknownRole(role.to_string()))?;
    if let Some(k) = kommuner
        .iter()
        .find(|k| k.len() != 4 || !k.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ReviewError::BadKommunenummer(k.clone()));
    }
    if role == Role::Municipality && kommuner.is_empty() {
        return Err(ReviewError::NoMunicipality);
    }
    Ok(role)
}

/// Only admins manage users.
pub fn may_manage_users(actor: Option<&Actor>) -> Result<(), ReviewError> {
    match signed_in(actor)?.role {
        Role::Admin => Ok(()),
        _ => Err(ReviewError::NotAdmin),
    }
}

/// Only the secretariat changes the action programme.
pub fn may_edit_programme(actor: Option<&Actor>) -> Result<(), ReviewError> {
    match signed_in(actor)?.role {
        Role::Secretariat => Ok(()),
        _ => Err(ReviewError::NotSecretariat),
    }
}

/// Comments longer than this are refused.
pub const MAX_COMMENT_CHARS: usize = 4000;

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, kommuner: &[&str]) -> Actor {
        Actor {
            user_id: 1,
            username: "kari".into(),
            role,
            municipalities: kommuner.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_municipality_user_writes_only_in_its_own_municipality() {
        let u = user(Role::Municipality, &["0301"]);
        assert!(may_write_in(Some(&u), "0301").is_ok());
        let e = may_write_in(Some(&u), "3201").unwrap_err();
        assert_eq!(e.status_code(), 403);
        assert!(e.to_string().contains("0301") && e.to_string().contains("3201"));
        assert_eq!(may_write_in(None, "0301").unwrap_err().status_code(), 401);
        assert!(may_write_in(Some(&user(Role::Coordinator, &[])), "3201").is_ok());
    }

    #[test]
    fn only_coordinators_set_statuses_and_only_along_allowed_transitions() {
        let c = user(Role::Coordinator, &[]);
        let m = user(Role::Municipality, &["0301"]);
        use Status::*;
        assert!(may_set_status(Some(&c), Proposed, UnderReview, None).is_ok());
        assert_eq!(
            may_set_status(Some(&m), Proposed, UnderReview, None),
            Err(ReviewError::NotCoordinator)
        );
        let e = may_set_status(Some(&c), Proposed, Approved, None).unwrap_err();
        assert_eq!(e.status_code(), 409);
        assert!(e.to_string().contains("under_review, rejected"), "{e}");
        assert_eq!(
            may_set_status(Some(&c), UnderReview, Rejected, Some("  ")),
            Err(ReviewError::ReasonRequired)
        );
        assert!(may_set_status(Some(&c), Approved, Built, None).is_ok());
        assert!(may_set_status(Some(&c), Built, Approved, None)
            .unwrap_err()
            .to_string()
            .contains("final"));
    }

    #[test]
    fn every_status_round_trips_through_its_name() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.name()), Some(s));
        }
        assert_eq!(Role::parse("coordinator"), Some(Role::Coordinator));
    }
}
