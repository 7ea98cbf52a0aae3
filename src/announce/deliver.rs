//! Sending one message: an HTTP POST for the chat and webhook kinds, SMTP for
//! e-mail. Every network call has a timeout. Secrets come from the environment,
//! through the lookup the caller passes, and no error message carries one:
//! an address read from the environment is replaced by its variable's name.

use std::time::Duration;

use super::message::Message;
use crate::model::channel::{Address, Channel, Email, Target, Tls};

/// Reads an environment variable; passed in so that tests and the command decide where secrets come from.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Why a send failed, fit to print: never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a message is sent with.
pub(crate) struct Envelope<'a> {
    pub channel: &'a Channel,
    /// For e-mail: a Message-ID that is the same for the same update and channel,
    /// so a mail client shows a message sent twice (after a crash) once.
    pub message_id: String,
    /// The e-mail's Date.
    pub date: std::time::SystemTime,
}

pub(crate) fn send(
    envelope: &Envelope<'_>,
    message: &Message,
    env: Env<'_>,
) -> Result<(), Failure> {
    let channel = envelope.channel;
    let timeout = channel.timeout.to_std().unwrap_or(Duration::from_secs(10));
    match (&channel.target, message) {
        (Target::Http(address), Message::Json(body)) => post(address, body, timeout, env),
        (Target::Email(email), Message::Email { subject, text }) => {
            mail(email, envelope, subject, text, timeout, env)
        }
        _ => Err(Failure(
            "internal error: a message of the wrong kind".into(),
        )),
    }
}

fn env_value(name: &str, env: Env<'_>) -> Result<String, Failure> {
    match env(name) {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(Failure(format!(
            "the environment variable `{name}` is empty"
        ))),
        None => Err(Failure(format!(
            "the environment variable `{name}` is not set"
        ))),
    }
}

/// Replaces every form of `secret` in `text` with `shown`.
fn redact(text: &str, secret: &str, shown: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(secret, shown);
    // Errors may name the address without its scheme, or only its path and query.
    if let Some((_, rest)) = secret.split_once("://") {
        out = out.replace(rest, shown);
        if let Some(i) = rest.find('/') {
            let path = &rest[i..];
            if path.len() > 1 {
                out = out.replace(path, "/…");
            }
        }
    }
    out
}

fn post(
    address: &Address,
    body: &serde_json::Value,
    timeout: Duration,
    env: Env<'_>,
) -> Result<(), Failure> {
    let url = match address {
        Address::Literal(url) => url.clone(),
        Address::Env(name) => env_value(name, env)?,
    };
    let shown = address.shown();
    let clean = |text: String| Failure(redact(&text, &url, &shown));
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Failure(format!(
            "{shown} is not an http:// or https:// address"
        )));
    }
    let bytes = serde_json::to_vec(body).map_err(|e| Failure(e.to_string()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A webhook that redirects is misconfigured; following it would send the body elsewhere.
        .max_redirects(0)
        .user_agent(concat!("statuspost/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(&bytes[..])
        .map_err(|e| clean(format!("POST to {shown} failed: {e}")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(2048)
        .read_to_string()
        .unwrap_or_default();
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(200).collect();
    Err(clean(format!(
        "{shown} answered {status}{}{text}",
        if text.is_empty() { "" } else { ": " }
    )))
}

fn mail(
    email: &Email,
    envelope: &Envelope<'_>,
    subject: &str,
    text: &str,
    timeout: Duration,
    env: Env<'_>,
) -> Result<(), Failure> {
    use lettre::message::{header::ContentType, Mailbox};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{SmtpTransport, Transport};

    let parse = |s: &str| {
        s.parse::<Mailbox>()
            .map_err(|e| Failure(format!("`{s}`: {e}")))
    };
    let mut builder = lettre::Message::builder()
        .from(parse(&email.from)?)
        .subject(subject)
        .date(envelope.date)
        .message_id(Some(envelope.message_id.clone()))
        .header(ContentType::TEXT_PLAIN);
    for to in &email.to {
        builder = builder.to(parse(to)?);
    }
    // Quoted-printable whatever the text: readable, and safe through any relay for any character.
    let body = lettre::message::Body::new_with_encoding(
        text.to_string(),
        lettre::message::header::ContentTransferEncoding::QuotedPrintable,
    )
    .map_err(|_| Failure("the e-mail's text could not be encoded".into()))?;
    let message = builder
        .body(body)
        .map_err(|e| Failure(format!("the e-mail could not be built: {e}")))?;

    let server = format!("{}:{} ({})", email.host, email.port, email.tls.as_str());
    let transport = match email.tls {
        Tls::None => Ok(SmtpTransport::builder_dangerous(&email.host)),
        Tls::StartTls => SmtpTransport::starttls_relay(&email.host),
        Tls::Tls => SmtpTransport::relay(&email.host),
    }
    .map_err(|e| Failure(format!("SMTP server {server}: {e}")))?
    .port(email.port)
    .timeout(Some(timeout));
    let mut secrets = Vec::new();
    let transport = match &email.credentials {
        Some((user_env, password_env)) => {
            let user = env_value(user_env, env)?;
            let password = env_value(password_env, env)?;
            secrets.push((password.clone(), format!("${password_env}")));
            // A very short user name would garble the message more than it hides.
            if user.len() >= 3 {
                secrets.push((user.clone(), format!("${user_env}")));
            }
            transport.credentials(Credentials::new(user, password))
        }
        None => transport,
    }
    .build();
    transport.send(&message).map(|_| ()).map_err(|e| {
        let mut text = format!("sending through {server} failed: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        for (secret, shown) in &secrets {
            text = redact(&text, secret, shown);
        }
        Failure(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_the_address_without_scheme_and_its_path() {
        let secret = "https://hooks.example.com/services/T000/B000/XXXX";
        let text = format!("{secret} failed; hooks.example.com/services/T000/B000/XXXX; GET /services/T000/B000/XXXX");
        let out = redact(&text, secret, "$HOOK");
        assert!(!out.contains("XXXX"), "{out}");
        assert!(out.starts_with("$HOOK failed; $HOOK; GET /…"), "{out}");
    }
}
