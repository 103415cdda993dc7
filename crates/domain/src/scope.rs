//! OAuth 2.0 scopes HMRC grants for the APIs this project covers (`platform.md` §3.10).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("scope is invalid")]
pub struct ScopeError;

/// One known scope. Unknown scopes cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Hello,
    ReadSelfAssessment,
    WriteSelfAssessment,
    ReadSelfAssessmentAssist,
    WriteSelfAssessmentAssist,
    ReadSentInvitations,
    WriteSentInvitations,
    WriteCancelInvitations,
    ReadCheckRelationship,
}

impl Scope {
    pub const ALL: [Scope; 9] = [
        Scope::Hello,
        Scope::ReadSelfAssessment,
        Scope::WriteSelfAssessment,
        Scope::ReadSelfAssessmentAssist,
        Scope::WriteSelfAssessmentAssist,
        Scope::ReadSentInvitations,
        Scope::WriteSentInvitations,
        Scope::WriteCancelInvitations,
        Scope::ReadCheckRelationship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Hello => "hello",
            Scope::ReadSelfAssessment => "read:self-assessment",
            Scope::WriteSelfAssessment => "write:self-assessment",
            Scope::ReadSelfAssessmentAssist => "read:self-assessment-assist",
            Scope::WriteSelfAssessmentAssist => "write:self-assessment-assist",
            Scope::ReadSentInvitations => "read:sent-invitations",
            Scope::WriteSentInvitations => "write:sent-invitations",
            Scope::WriteCancelInvitations => "write:cancel-invitations",
            Scope::ReadCheckRelationship => "read:check-relationship",
        }
    }

    /// What HMRC's grant-authority page calls it.
    pub fn display_name(self) -> &'static str {
        match self {
            Scope::Hello => "Say Hello",
            Scope::ReadSelfAssessment => "View your Self Assessment information",
            Scope::WriteSelfAssessment => "Change your Self Assessment information",
            Scope::ReadSelfAssessmentAssist => "Read self assessment assist data",
            Scope::WriteSelfAssessmentAssist => "Write self assessment assist data",
            Scope::ReadSentInvitations => "View your sent authorisation requests",
            Scope::WriteSentInvitations => "Send authorisation requests to your clients",
            Scope::WriteCancelInvitations => "Cancel authorisation requests you have sent",
            Scope::ReadCheckRelationship => "Check whether you are authorised by a client",
        }
    }

    /// The confidence level an individual or organisation needs to grant it.
    pub fn confidence_level(self) -> Option<u16> {
        match self {
            Scope::ReadSelfAssessment
            | Scope::WriteSelfAssessment
            | Scope::ReadSelfAssessmentAssist
            | Scope::WriteSelfAssessmentAssist => Some(250),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Result<Self, ScopeError> {
        Scope::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or(ScopeError)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, written space-separated on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(std::collections::BTreeSet<Scope>);

impl Scopes {
    /// Parses a space-separated list (`+` already decoded). Empty input is an empty set.
    pub fn parse(s: &str) -> Result<Self, ScopeError> {
        s.split(' ')
            .filter(|p| !p.is_empty())
            .map(Scope::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, s: Scope) -> bool {
        self.0.contains(&s)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusal() {
        let s = Scopes::parse("write:self-assessment  read:self-assessment").unwrap();
        assert_eq!(s.to_string(), "read:self-assessment write:self-assessment");
        assert!(Scopes::parse("read:self-assessment read:everything").is_err());
        assert!(Scopes::parse("").unwrap().is_empty());
        for sc in Scope::ALL {
            assert_eq!(Scope::parse(sc.as_str()), Ok(sc));
        }
    }
}
