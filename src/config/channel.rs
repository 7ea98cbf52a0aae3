//! The `[[announce]]` entries of `statuspost.toml`: where updates are sent.
//!
//! Read with the same care as the rest of the config: every key checked, with
//! a suggestion for a misspelt one, and every value at its file, line and
//! column. Secrets never live here: a channel names the environment variables
//! that hold them, which are read only when sending.

use std::collections::HashMap;
use std::ops::Range;

use chrono::Duration;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::fields::Fields;
use crate::model::channel::{Address, Channel, Email, Kind, Target, Tls};
use crate::model::{Component, MaintenanceState, State};

const KEYS: &[&str] = &[
    "kind",
    "name",
    "url",
    "url_env",
    "components",
    "states",
    "window",
    "timeout",
    "template",
    "smtp",
    "tls",
    "from",
    "to",
    "username_env",
    "password_env",
];
const HTTP_KEYS: &[&str] = &["url", "url_env"];
const EMAIL_KEYS: &[&str] = &["smtp", "tls", "from", "to", "username_env", "password_env"];

/// Updates older than this when a run first sees them are recorded without being sent.
pub const DEFAULT_WINDOW_MINUTES: i64 = 60;
/// No network call may take longer: a hung receiver must not hang CI.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 10;

/// Every state an update can be in, incident and maintenance, as `states` takes them.
fn state_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = State::NAMES.to_vec();
    names.extend(
        MaintenanceState::NAMES
            .iter()
            .filter(|n| !State::NAMES.contains(n)),
    );
    names
}

/// A state as `states` stores it: incident names first, so `monitoring` becomes `verifying`.
fn parse_state(name: &str) -> Option<&'static str> {
    State::parse(name)
        .map(State::as_str)
        .or_else(|| MaintenanceState::parse(name).map(MaintenanceState::as_str))
}

/// Reads every `[[announce]]` entry; problems go to `diags`.
pub fn parse(
    f: &Fields<'_>,
    components: &[Component],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Channel> {
    let mut channels = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for c in f.tables("announce", "[[announce]] entry", diags) {
        c.deny_unknown(KEYS, diags);
        let Some(channel) = parse_one(&c, components, diags) else {
            continue;
        };
        let name_span = span_of(&c, "name");
        if let Some(first) = names.insert(channel.name.clone(), name_span.start) {
            let (line, _) = c.source().line_col(first);
            diags.push(
                Diagnostic::error(
                    c.source(),
                    name_span,
                    format!(
                        "two [[announce]] entries are both called `{}`",
                        channel.name
                    ),
                )
                .with_help(format!(
                    "the other is on line {line}; give this one a `name = \"...\"` of its own: \
                     the state file records what was sent under it"
                )),
            );
            continue;
        }
        channels.push(channel);
    }
    channels
}

fn parse_one(
    c: &Fields<'_>,
    components: &[Component],
    diags: &mut Vec<Diagnostic>,
) -> Option<Channel> {
    let before = diags.len();
    let kind = c
        .required_string("kind", "\"slack\"", diags)
        .and_then(|(name, span)| match Kind::parse(name.trim()) {
            Some(kind) => Some(kind),
            None => {
                diags.push(
                    Diagnostic::error(c.source(), span, format!("unknown channel kind `{name}`"))
                        .with_help(did_you_mean(&name, &Kind::NAMES)),
                );
                None
            }
        });
    let name = c.string("name", diags).and_then(|(name, span)| {
        if valid_name(&name) {
            Some(name)
        } else {
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    format!("channel name `{name}` has characters the state file cannot keep"),
                )
                .with_help("use letters, digits, `-`, `_` and `.`, e.g. \"ops-chat\""),
            );
            None
        }
    });
    let components = c.string_list("components", diags).map(|list| {
        let mut out = Vec::new();
        for (id, span) in list {
            match components.iter().position(|comp| comp.id == id) {
                Some(i) => out.push(i),
                None => {
                    let ids: Vec<&str> = components.iter().map(|c| c.id.as_str()).collect();
                    diags.push(
                        Diagnostic::error(c.source(), span, format!("unknown component `{id}`"))
                            .with_help(if ids.is_empty() {
                                "no components are configured: add `[[components]]` entries".into()
                            } else {
                                did_you_mean(&id, &ids)
                            }),
                    );
                }
            }
        }
        out
    });
    let states = c.string_list("states", diags).map(|list| {
        let mut out = Vec::new();
        for (name, span) in list {
            match parse_state(&name) {
                Some(state) => out.push(state),
                None => diags.push(
                    Diagnostic::error(c.source(), span, format!("unknown state `{name}`"))
                        .with_help(did_you_mean(&name, &state_names())),
                ),
            }
        }
        out
    });
    let window = duration(c, "window", DEFAULT_WINDOW_MINUTES * 60, diags);
    let timeout = duration(c, "timeout", DEFAULT_TIMEOUT_SECONDS, diags);
    let template = c.string("template", diags).map(|(t, _)| t);
    let kind = kind?;
    if kind == Kind::Webhook {
        if let Some(span) = c.key_span("template") {
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    "`template` does not apply to a `webhook` channel",
                )
                .with_help(
                    "a webhook receives the Statuspage webhook payload, which no template changes",
                ),
            );
        }
    }
    let target = if kind == Kind::Email {
        refuse_keys(c, HTTP_KEYS, "an e-mail channel", diags);
        parse_email(c, diags).map(Target::Email)
    } else {
        refuse_keys(
            c,
            EMAIL_KEYS,
            &format!("a `{}` channel", kind.as_str()),
            diags,
        );
        let address = parse_address(c, diags);
        if let (Some(Address::Literal(url)), true) = (&address, kind != Kind::Webhook) {
            warn_secret(c, url, diags);
        }
        address.map(Target::Http)
    };
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    Some(Channel {
        name: name.unwrap_or_else(|| kind.as_str().to_string()),
        kind,
        target: target?,
        components,
        states,
        window,
        timeout,
        template,
    })
}

fn duration(
    c: &Fields<'_>,
    key: &str,
    default_seconds: i64,
    diags: &mut Vec<Diagnostic>,
) -> Duration {
    match c.string(key, diags) {
        Some((text, span)) => match crate::clock::parse_duration(&text) {
            Ok(d) => d,
            Err(message) => {
                diags.push(Diagnostic::error(c.source(), span, message));
                Duration::seconds(default_seconds)
            }
        },
        None => Duration::seconds(default_seconds),
    }
}

/// Keys of the other kind of channel are a mistake worth naming, not silently ignored.
fn refuse_keys(c: &Fields<'_>, keys: &[&str], what: &str, diags: &mut Vec<Diagnostic>) {
    for key in keys {
        if let Some(span) = c.key_span(key) {
            diags.push(Diagnostic::error(
                c.source(),
                span,
                format!("`{key}` does not apply to {what}"),
            ));
        }
    }
}

fn parse_address(c: &Fields<'_>, diags: &mut Vec<Diagnostic>) -> Option<Address> {
    let url = c.string("url", diags);
    let env = c.string("url_env", diags);
    match (url, env) {
        (Some(_), Some((_, span))) => {
            diags.push(
                Diagnostic::error(c.source(), span, "both `url` and `url_env` are set")
                    .with_help("keep one: `url_env` for an address that is a secret (most webhook addresses are)"),
            );
            None
        }
        (Some((url, span)), None) => {
            let trimmed = url.trim();
            if (trimmed.starts_with("https://") || trimmed.starts_with("http://"))
                && !trimmed.contains(char::is_whitespace)
            {
                Some(Address::Literal(trimmed.to_string()))
            } else {
                diags.push(
                    Diagnostic::error(
                        c.source(),
                        span,
                        "`url` must be an http:// or https:// address",
                    )
                    .with_help("write the webhook's address, or name the environment variable that holds it with `url_env`"),
                );
                None
            }
        }
        (None, Some((name, span))) => env_name(c, &name, span, diags).map(Address::Env),
        (None, None) => {
            diags.push(
                c.missing("url_env", "\"SLACK_WEBHOOK_URL\"")
                    .with_help("add `url_env = \"SLACK_WEBHOOK_URL\"` naming the environment variable that holds the webhook's address (or `url = \"https://...\"` for one that is not secret)"),
            );
            None
        }
    }
}

/// A chat webhook's address is a secret (whoever has it can post to the
/// channel); written in the config it is in the repository's history. The
/// warning shows neither the address nor its line, which CI logs would keep.
fn warn_secret(c: &Fields<'_>, url: &str, diags: &mut Vec<Diagnostic>) {
    let host = url
        .split_once("://")
        .map_or("", |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.split_once(']'))
        .map_or_else(
            || host.rsplit_once(':').map_or(host, |(h, _)| h),
            |(h, _)| h,
        );
    if host == "localhost" || host.starts_with("127.") || host == "::1" {
        return;
    }
    let span = span_of(c, "url");
    let (line, col) = c.source().line_col(span.start);
    diags.push(
        Diagnostic::file(
            crate::diagnostic::Severity::Warning,
            c.source().path.clone(),
            line,
            col,
            "this chat webhook's address is written in the config: anyone who reads the repository can post to the channel",
        )
        .with_code("secret-in-config")
        .with_help("put the address in a CI secret and name its environment variable with `url_env`; then revoke this address and make a new one"),
    );
}

fn parse_email(c: &Fields<'_>, diags: &mut Vec<Diagnostic>) -> Option<Email> {
    let tls = match c.string("tls", diags) {
        None => Some(Tls::StartTls),
        Some((name, span)) => match Tls::NAMES.iter().position(|n| *n == name) {
            Some(0) => Some(Tls::None),
            Some(1) => Some(Tls::StartTls),
            Some(_) => Some(Tls::Tls),
            None => {
                diags.push(
                    Diagnostic::error(c.source(), span, format!("unknown `tls` mode `{name}`"))
                        .with_help(did_you_mean(&name, &Tls::NAMES)),
                );
                None
            }
        },
    };
    let server = c
        .required_string("smtp", "\"smtp.example.com:587\"", diags)
        .and_then(|(text, span)| match split_host_port(text.trim()) {
            Ok(hp) => Some(hp),
            Err(message) => {
                diags.push(Diagnostic::error(c.source(), span, message).with_help(
                    "write the server as `host` or `host:port`, e.g. \"smtp.example.com:587\"",
                ));
                None
            }
        });
    let from = c
        .required_string("from", "\"status@example.com\"", diags)
        .and_then(|(text, span)| mailbox(c, text, span, diags));
    let to = if c.has("to") {
        c.string_list("to", diags).and_then(|list| {
            if list.is_empty() {
                diags.push(
                    Diagnostic::error(c.source(), c.anchor(), "`to` is empty").with_help(
                        "name at least one address, e.g. `to = [\"customers@example.com\"]`",
                    ),
                );
                return None;
            }
            let n = list.len();
            let out: Vec<String> = list
                .into_iter()
                .filter_map(|(text, span)| mailbox(c, text, span, diags))
                .collect();
            (out.len() == n).then_some(out)
        })
    } else {
        diags.push(c.missing("to", "[\"customers@example.com\"]"));
        None
    };
    let user = c.string("username_env", diags).and_then(|(name, span)| {
        env_name(c, &name, span, diags).map(|n| (n, span_of(c, "username_env")))
    });
    let password = c.string("password_env", diags).and_then(|(name, span)| {
        env_name(c, &name, span, diags).map(|n| (n, span_of(c, "password_env")))
    });
    let credentials = match (user, password) {
        (Some((u, _)), Some((p, _))) => Some((u, p)),
        (None, None) => None,
        (Some((_, span)), None) | (None, Some((_, span))) => {
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    "`username_env` and `password_env` go together",
                )
                .with_help(
                    "name both environment variables, or neither for a server that needs no login",
                ),
            );
            None
        }
    };
    let tls = tls?;
    let (host, port) = server?;
    Some(Email {
        host,
        port: port.unwrap_or(tls.default_port()),
        tls,
        from: from?,
        to: to?,
        credentials,
    })
}

fn span_of(c: &Fields<'_>, key: &str) -> Range<usize> {
    c.key_span(key).unwrap_or_else(|| c.anchor())
}

fn mailbox(
    c: &Fields<'_>,
    text: String,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match text.trim().parse::<lettre::message::Mailbox>() {
        Ok(_) => Some(text.trim().to_string()),
        Err(_) => {
            diags.push(
                Diagnostic::error(c.source(), span, format!("`{text}` is not an e-mail address"))
                    .with_help("write an address such as \"status@example.com\" or \"Acme Status <status@example.com>\""),
            );
            None
        }
    }
}

fn split_host_port(text: &str) -> Result<(String, Option<u16>), String> {
    if text.contains("://") {
        return Err(format!(
            "`smtp` is a server, not an address: found \"{text}\" (choose the protocol with `tls`)"
        ));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => {
            let port: u16 = port
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{port}` is not a port number"))?;
            (host, Some(port))
        }
        None => (text, None),
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(format!("`{text}` is not a server name"));
    }
    Ok((host.to_string(), port))
}

fn env_name(
    c: &Fields<'_>,
    name: &str,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if valid {
        return Some(name.to_string());
    }
    // Pasting the secret itself where its variable's name belongs is the likely
    // mistake: then neither the value nor its line is repeated into a CI log.
    if name.contains("://") || name.contains('@') || name.len() > 64 {
        let (line, col) = c.source().line_col(span.start);
        diags.push(
            Diagnostic::file(
                crate::diagnostic::Severity::Error,
                c.source().path.clone(),
                line,
                col,
                "this is not the name of an environment variable; it looks like a secret",
            )
            .with_help("put the secret in an environment variable (a CI secret) and write that variable's name here; remove the secret from this file and its git history"),
        );
    } else {
        diags.push(
            Diagnostic::error(
                c.source(),
                span,
                format!("`{name}` is not the name of an environment variable"),
            )
            .with_help("write a name such as \"SLACK_WEBHOOK_URL\": letters, digits and `_`"),
        );
    }
    None
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
