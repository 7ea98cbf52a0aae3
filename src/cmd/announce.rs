//! `statuspost announce`: send what has not been announced, or print it with `--dry-run`.

use std::io::Write;

use crate::announce::ledger::Ledger;
use crate::announce::message::Message;
use crate::announce::plan::{self, Action, Planned};
use crate::announce::{self, Event};
use crate::cli::AnnounceArgs;
use crate::cmd::{self, plural, Outcome};
use crate::load;
use crate::model::channel::{Address, Channel, Target};
use crate::templates::Templates;

pub(super) fn run(args: AnnounceArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let loaded = load::load(root);
    let Some(site) = loaded.site else {
        cmd::report(&loaded.diagnostics);
        eprintln!("error: nothing was announced");
        return Ok(Outcome::Invalid);
    };
    // A dry run sends nothing, so it may preview a demo at the moment it depicts.
    if !args.dry_run {
        cmd::refuse_demo_now(&site.config, "announce")?;
    }
    cmd::report(&loaded.diagnostics);
    let now = cmd::preview_now(&args.site, &site.config)?;
    if site.config.announce.is_empty() {
        eprintln!(
            "nothing to announce to: add `[[announce]]` channels to statuspost.toml (see README, \"Announcing updates\")"
        );
        return Ok(Outcome::Ok);
    }
    let mut ledger = match Ledger::load(root) {
        Ok(ledger) => ledger,
        Err(diagnostics) => {
            cmd::report(&diagnostics);
            eprintln!("error: nothing was announced");
            return Ok(Outcome::Invalid);
        }
    };
    let templates = Templates::load(root)?;
    let planned = plan::plan(&site, &ledger, now);
    // Every message is rendered before the first is sent: a template that fails sends nothing.
    let messages = announce::render_all(&site, &planned, &templates)?;
    let env = |name: &str| std::env::var(name).ok();
    if args.dry_run {
        dry_run(&site.config.announce, &planned, &messages, &env);
        return Ok(Outcome::Ok);
    }

    let mut stdout = std::io::stdout().lock();
    let report = announce::deliver_all(
        &site,
        &planned,
        &messages,
        &mut ledger,
        now,
        &env,
        &mut |event| {
            let line = match event {
                Event::Sent { channel, update } => format!("sent      {channel}  {update}"),
                Event::Skipped {
                    channel,
                    count,
                    window,
                } => format!(
                    "recorded  {channel}  {count} update{} older than its {} window, without sending",
                    plural(count),
                    crate::clock::duration_spec(window)
                ),
                Event::Failed { channel, update } => format!("failed    {channel}  {update}"),
                Event::Postponed { channel, update } => {
                    format!("postponed {channel}  {update}  (the channel failed)")
                }
            };
            let _ = writeln!(stdout, "{line}");
        },
    )?;
    drop(stdout);
    let mut stderr = std::io::stderr().lock();
    for f in &report.failures {
        let _ = writeln!(
            stderr,
            "error: channel `{}` failed: {}",
            f.channel, f.failure
        );
        let _ = writeln!(
            stderr,
            "  = {} update{} not sent to `{}`: retried on the next run; the other channels were not affected",
            f.unsent,
            plural(f.unsent),
            f.channel
        );
    }
    let _ = writeln!(
        stderr,
        "announced: {} sent, {} recorded without sending (older than the window){}",
        report.sent,
        report.skipped,
        if report.failures.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = report.failures.iter().map(|f| f.channel.as_str()).collect();
            format!(
                ", {} channel{} failed ({})",
                names.len(),
                plural(names.len()),
                names.join(", ")
            )
        }
    );
    Ok(if report.failures.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

/// Where a channel sends, as it may be shown: an address from the environment by its variable's name.
fn destination(channel: &Channel, env: announce::deliver::Env<'_>) -> String {
    let unset = |name: &str| {
        if env(name).is_some_and(|v| !v.trim().is_empty()) {
            String::new()
        } else {
            format!(" (`{name}` is not set: this send would fail)")
        }
    };
    match &channel.target {
        Target::Http(address) => format!(
            "POST {}{}",
            address.shown(),
            match address {
                Address::Env(name) => unset(name),
                Address::Literal(_) => String::new(),
            }
        ),
        Target::Email(e) => format!(
            "SMTP {}:{} ({}){}",
            e.host,
            e.port,
            e.tls.as_str(),
            match &e.credentials {
                Some((user, password)) => format!(
                    ", logging in as ${user} with ${password}{}{}",
                    unset(user),
                    unset(password)
                ),
                None => String::new(),
            }
        ),
    }
}

fn dry_run(
    channels: &[Channel],
    planned: &[Planned<'_>],
    messages: &[Option<Message>],
    env: announce::deliver::Env<'_>,
) {
    let mut out = std::io::stdout().lock();
    let (mut sends, mut skips) = (0, 0);
    for (p, message) in planned.iter().zip(messages) {
        let channel = &channels[p.channel];
        let update = p.item.id();
        match (p.action, message) {
            (Action::Skip, _) => skips += 1,
            (Action::Send, Some(message)) => {
                sends += 1;
                let _ = writeln!(
                    out,
                    "\nwould send to `{}`{}: {update}\n{}",
                    channel.name,
                    if channel.name == channel.kind.as_str() {
                        String::new()
                    } else {
                        format!(" ({})", channel.kind.as_str())
                    },
                    destination(channel, env)
                );
                match message {
                    Message::Json(body) => {
                        let _ = writeln!(
                            out,
                            "{}",
                            serde_json::to_string_pretty(body).unwrap_or_default()
                        );
                    }
                    Message::Email { subject, text } => {
                        if let Target::Email(e) = &channel.target {
                            let _ = writeln!(out, "From: {}\nTo: {}", e.from, e.to.join(", "));
                        }
                        let _ = writeln!(out, "Subject: {subject}\n\n{text}");
                    }
                }
            }
            (Action::Send, None) => {}
        }
    }
    for (n, channel) in channels.iter().enumerate() {
        let count = planned
            .iter()
            .filter(|p| p.channel == n && p.action == Action::Skip)
            .count();
        if count > 0 {
            let _ = writeln!(
                out,
                "\nwould record {count} update{} on `{}` without sending: older than its {} window",
                plural(count),
                channel.name,
                crate::clock::duration_spec(channel.window)
            );
        }
    }
    drop(out);
    eprintln!(
        "dry run: {sends} message{} would be sent, {skips} update{} recorded without sending; nothing was sent or recorded",
        plural(sends),
        plural(skips)
    );
}
