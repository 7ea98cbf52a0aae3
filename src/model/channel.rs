//! Where updates are announced: the `[[announce]]` channels of the config, as
//! data. Reading them from `statuspost.toml` is the config's job
//! (`config::channel`); sending to them is `announce`'s.

use chrono::Duration;

/// What a channel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Slack,
    Mattermost,
    Teams,
    Discord,
    Webhook,
    Email,
}

impl Kind {
    pub const NAMES: [&'static str; 6] = [
        "slack",
        "mattermost",
        "teams",
        "discord",
        "webhook",
        "email",
    ];

    pub(crate) fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "slack" => Kind::Slack,
            "mattermost" => Kind::Mattermost,
            "teams" => Kind::Teams,
            "discord" => Kind::Discord,
            "webhook" => Kind::Webhook,
            "email" => Kind::Email,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Kind::NAMES[self as usize]
    }
}

/// An address to POST to: written in the config, or read from the environment at send time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Literal(String),
    Env(String),
}

impl Address {
    /// How the address may be shown: an environment variable by name only; a
    /// written address by its scheme and host, as webhook paths and queries
    /// usually carry a token.
    pub fn shown(&self) -> String {
        match self {
            Address::Literal(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
                match rest.find(['/', '?', '#']) {
                    Some(i) if rest.len() > i + 1 => format!("{scheme}://{}/…", &rest[..i]),
                    _ => url.clone(),
                }
            }
            Address::Env(name) => format!("${name}"),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Plain SMTP: for a relay on the same machine or a test server only.
    None,
    /// Connect in the clear, then upgrade; refuses a server that cannot.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl Tls {
    pub(crate) const NAMES: [&'static str; 3] = ["none", "starttls", "tls"];

    pub fn as_str(self) -> &'static str {
        Tls::NAMES[self as usize]
    }

    pub(crate) fn default_port(self) -> u16 {
        match self {
            Tls::None => 25,
            Tls::StartTls => 587,
            Tls::Tls => 465,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub from: String,
    pub to: Vec<String>,
    /// Names of the environment variables holding the credentials; both or neither.
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Http(Address),
    Email(Email),
}

/// One `[[announce]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// What the state file calls it: `name`, else the kind. Stable and never a secret.
    pub name: String,
    pub kind: Kind,
    pub target: Target,
    /// Only incidents and maintenance touching one of these (indexes into `Config::components`).
    pub components: Option<Vec<usize>>,
    /// Only updates in one of these states (incident and maintenance state names).
    pub states: Option<Vec<&'static str>>,
    pub window: Duration,
    pub timeout: Duration,
    /// A template name under `templates/` instead of the kind's default.
    pub template: Option<String>,
}
