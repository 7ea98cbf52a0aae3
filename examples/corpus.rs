//! Writes a realistic status site of N incidents, deterministically from a seed,
//! for benchmarks: `cargo run --release --example corpus -- DIR N [SEED] [--years Y] [--open K]`.
//!
//! 10 components in 3 groups; incidents spread over the Y years (default 4)
//! before 2026-11-22, each with 2 to 5 updates and markdown bodies of realistic
//! length; the newest one or two are still open, or exactly the newest K with `--open`.

use std::fmt::Write as _;
use std::path::PathBuf;

/// SplitMix64: tiny, fast and deterministic, so the corpus needs no RNG crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const COMPONENTS: [(&str, &str, &str); 10] = [
    ("api", "Public API", "Platform"),
    ("dashboard", "Dashboard", "Platform"),
    ("auth", "Authentication", "Platform"),
    ("webhooks", "Webhooks", "Platform"),
    ("db", "Databases", "Data"),
    ("storage", "Object Storage", "Data"),
    ("backups", "Backups", "Data"),
    ("cdn", "CDN", "Network"),
    ("dns", "DNS", "Network"),
    ("lb", "Load Balancers", "Network"),
];

const SYMPTOMS: &[&str] = &[
    "elevated error rates",
    "increased latency",
    "failed requests",
    "delayed deliveries",
    "intermittent timeouts",
    "slow page loads",
    "failed sign-ins",
    "stale data",
];
const CAUSES: &[&str] = &[
    "a configuration change to the request router",
    "a failed disk in one storage node",
    "an expired TLS certificate on an internal service",
    "a database failover that did not complete",
    "a surge of traffic from a single region",
    "a faulty release of the scheduling service",
    "packet loss on a transit link",
    "an exhausted connection pool",
];
const REGIONS: &[&str] = &["lon1", "ams1", "fra1", "nyc1", "sfo1", "sgp1"];

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // The density of issue 17 (about 9 incidents a day, two open) needs both options.
    let mut option = |name: &str| -> Option<i64> {
        let at = args.iter().position(|a| a == name)?;
        let value = args.get(at + 1).and_then(|v| v.parse().ok());
        args.drain(at..(at + 2).min(args.len()));
        value.or_else(|| usage())
    };
    let years = option("--years").unwrap_or(4);
    let open_count = option("--open");
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        usage()
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let dir = PathBuf::from(dir);
    let mut rng = Rng(seed);
    std::fs::create_dir_all(dir.join("incidents")).expect("create incidents/");

    let mut config = String::from(
        "title = \"Acme Cloud Status\"\nbase_url = \"https://status.acme-status.net\"\ntimezone = \"Europe/London\"\n\
         description = \"Live and historical status of Acme Cloud\"\ndefault_next_update = \"30m\"\n\n\
         [contact]\nemail = \"support@acme.example\"\nurl = \"https://support.acme.example\"\n",
    );
    for (id, name, group) in COMPONENTS {
        let _ = write!(
            config,
            "\n[[components]]\nid = \"{id}\"\nname = \"{name}\"\ngroup = \"{group}\"\n"
        );
    }
    std::fs::write(dir.join("statuspost.toml"), config).expect("write config");

    // The newest incident starts shortly before 2026-11-22T12:00Z; older ones are spaced
    // so that N incidents cover several years (about 9 hours apart at N = 10,000).
    let end: i64 = 1_795_348_800; // 2026-11-22T12:00:00Z
    let span: i64 = years.max(1) * 365 * 86_400;
    let step = (span / n.max(1) as i64).max(3600);
    for i in 0..n {
        let start = end - 1800 - step * i as i64 - rng.below(step as u64 / 2) as i64;
        let open = i < 2.min(n) && (i == 0 || rng.below(2) == 0);
        let open = open_count.map_or(open, |k| (i as i64) < k);
        let text = incident(&mut rng, start, open);
        let date = chrono_date(start);
        let symptom = rng.pick(SYMPTOMS).replace(' ', "-");
        std::fs::write(
            dir.join("incidents")
                .join(format!("{date}-{symptom}-{i}.md")),
            text,
        )
        .expect("write incident");
    }
    eprintln!("wrote {n} incidents to {}", dir.display());
}

fn usage() -> ! {
    eprintln!("usage: corpus DIR N [SEED] [--years Y] [--open K]");
    std::process::exit(2);
}

fn incident(rng: &mut Rng, start: i64, open: bool) -> String {
    let c = rng.below(10) as usize;
    let (id, name, _) = COMPONENTS[c];
    let symptom = rng.pick(SYMPTOMS);
    let region = rng.pick(REGIONS);
    let impact = ["minor", "minor", "major", "critical"][rng.below(4) as usize];
    let updates = 2 + rng.below(4) as usize;
    let mut text = format!(
        "+++\ntitle = \"{} on the {name} in {region}\"\nimpact = \"{impact}\"\ncomponents = [\"{id}\"]\n+++\n",
        capitalise(symptom)
    );
    if !open && impact != "minor" {
        let _ = write!(
            text,
            "\n## What happened\n\nBetween the first and last update below, customers in {region} saw {symptom}.\n\n\
             ## Root cause\n\nThe cause was {}. It passed review because the failure only shows under production load.\n\n\
             ## What we are changing\n\n- Alerting on the failure mode, so that we see it before customers do.\n\
             - A staged rollout for this class of change.\n- A runbook for the on-call engineer.\n\n",
            rng.pick(CAUSES)
        );
    }
    let states = ["investigating", "identified", "verifying", "resolved"];
    let mut at = start;
    for u in 0..updates {
        let last = u == updates - 1;
        let state = if last && !open {
            "resolved"
        } else {
            states[(u * 3 / updates).min(2)]
        };
        let body = match state {
            "investigating" => format!(
                "Since {} UTC, some customers in {region} see {symptom} on the {name}. Requests that fail can be retried safely. We are investigating.",
                hhmm(at - 600)
            ),
            "identified" => format!(
                "The cause is {}. We are rolling back the change in {region}, one zone at a time, and watching error rates as we go.",
                rng.pick(CAUSES)
            ),
            "verifying" => format!("The fix is deployed in {region} and {symptom} have stopped. We are verifying that every zone is back to normal."),
            _ => format!(
                "Since {} UTC, the {name} has been working normally in {region}. We apologise for the disruption; the summary above explains what happened and what we are changing.",
                hhmm(at - 300)
            ),
        };
        let next = if state == "resolved" {
            String::new()
        } else {
            "next_update = \"30m\"\n".to_string()
        };
        let _ = write!(
            text,
            "\n+++\nstate = \"{state}\"\nat = {}\n{next}+++\n{body}\n",
            rfc3339(at)
        );
        at += 900 + rng.below(1800) as i64;
    }
    text
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn civil(t: i64) -> (i64, i64, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60)
}

fn chrono_date(t: i64) -> String {
    let (y, m, d, _, _) = civil(t);
    format!("{y:04}-{m:02}-{d:02}")
}

fn rfc3339(t: i64) -> String {
    let (y, m, d, h, min) = civil(t);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:00Z")
}

fn hhmm(t: i64) -> String {
    let (_, _, _, h, min) = civil(t);
    format!("{h:02}:{min:02}")
}
