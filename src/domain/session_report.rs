//! A remote-support session's report, as its operator gives it when ending it, and the
//! sessions list's filter by outcome.

use super::{check_controls, Invalid};
use crate::wire::SessionOutcome;

/// The longest report accepted.
pub const REPORT_MAX_CHARS: usize = 2_000;

/// How a session ended and what the operator wrote about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReport {
    /// Resolved, unresolved or unknown.
    pub outcome: SessionOutcome,
    /// Notes: trimmed, 1 to 2,000 characters, lines and tabs kept; `None` when none.
    pub report: Option<String>,
}

impl SessionReport {
    /// Parses an `end` request's `outcome` (required) and `report` (optional; blank is none).
    pub fn parse(outcome: Option<&str>, report: Option<&str>) -> Result<Self, Invalid> {
        let outcome = parse_outcome(outcome)?.ok_or_else(|| {
            Invalid::new("outcome", "must be `resolved`, `unresolved` or `unknown`")
        })?;
        let report = report.map(str::trim).filter(|r| !r.is_empty());
        if let Some(report) = report {
            check_controls("report", report, &['\n', '\t'])?;
            if report.chars().count() > REPORT_MAX_CHARS {
                return Err(Invalid::new(
                    "report",
                    format!("must be at most {REPORT_MAX_CHARS} characters"),
                ));
            }
        }
        Ok(Self {
            outcome,
            report: report.map(str::to_owned),
        })
    }
}

/// An outcome as a query or a form gives it: none when absent or blank.
pub fn parse_outcome(raw: Option<&str>) -> Result<Option<SessionOutcome>, Invalid> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => SessionOutcome::parse(raw).map(Some).ok_or_else(|| {
            Invalid::new("outcome", "must be `resolved`, `unresolved` or `unknown`")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_needs_an_outcome_and_keeps_its_lines_up_to_two_thousand_characters() {
        let report =
            SessionReport::parse(Some("resolved"), Some("  Reset the router.\nWorks.  ")).unwrap();
        assert_eq!(report.outcome, SessionOutcome::Resolved);
        assert_eq!(report.report.as_deref(), Some("Reset the router.\nWorks."));
        assert_eq!(
            SessionReport::parse(Some("unknown"), Some("   "))
                .unwrap()
                .report,
            None
        );
        assert_eq!(
            SessionReport::parse(None, Some("notes")).unwrap_err().field,
            "outcome"
        );
        assert_eq!(
            SessionReport::parse(Some("fixed"), None).unwrap_err().field,
            "outcome"
        );
        let long = "a".repeat(REPORT_MAX_CHARS + 1);
        assert_eq!(
            SessionReport::parse(Some("resolved"), Some(&long))
                .unwrap_err()
                .field,
            "report"
        );
        assert!(SessionReport::parse(Some("resolved"), Some(&long[1..])).is_ok());
        assert_eq!(
            SessionReport::parse(Some("resolved"), Some("a\u{7}b"))
                .unwrap_err()
                .field,
            "report"
        );
    }

    #[test]
    fn an_outcome_filter_is_one_outcome_or_none() {
        assert_eq!(parse_outcome(None).unwrap(), None);
        assert_eq!(parse_outcome(Some(" ")).unwrap(), None);
        assert_eq!(
            parse_outcome(Some("unresolved")).unwrap(),
            Some(SessionOutcome::Unresolved)
        );
        assert!(parse_outcome(Some("Resolved")).is_err());
    }
}
