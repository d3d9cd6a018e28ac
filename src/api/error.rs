//! API errors with the texts the real apiserver sends (`apimachinery/pkg/api/errors`).

use std::fmt;

use super::kind::Kind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// `pods "x" not found`
    NotFound { kind: Kind, name: String },
    /// `pods "x" already exists`
    AlreadyExists { kind: Kind, name: String },
    /// `The Pod "x" is invalid: spec.containers: Required value`
    Invalid { kind: Kind, name: String, causes: Vec<String> },
    /// Any other request error, message as the server words it.
    BadRequest(String),
}

impl ApiError {
    /// The `Reason` kubectl prints in `Error from server (<Reason>): …`.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Invalid { .. } => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
        }
    }

    pub fn not_found(kind: Kind, name: &str) -> Self {
        ApiError::NotFound { kind, name: name.to_string() }
    }

    pub fn invalid(kind: Kind, name: &str, cause: impl Into<String>) -> Self {
        ApiError::Invalid { kind, name: name.to_string(), causes: vec![cause.into()] }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotFound { kind, name } => {
                write!(f, "{} \"{name}\" not found", kind.qualified_plural())
            }
            ApiError::AlreadyExists { kind, name } => {
                write!(f, "{} \"{name}\" already exists", kind.qualified_plural())
            }
            ApiError::Invalid { kind, name, causes } => {
                // `NewInvalid` names the kind with its group: `Deployment.apps "web"`.
                let info = kind.info();
                let group = if info.group.is_empty() { String::new() } else { format!(".{}", info.group) };
                write!(f, "{}{group} \"{name}\" is invalid: ", info.name)?;
                if causes.len() == 1 { f.write_str(&causes[0]) } else { write!(f, "[{}]", causes.join(", ")) }
            }
            ApiError::BadRequest(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for ApiError {}
