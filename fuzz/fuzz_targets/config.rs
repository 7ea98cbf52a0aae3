//! Any bytes as `statuspost.toml`; a config that parses is then used to parse
//! an incident, which exercises its components and time zone.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use statuspost::source::Source;
use statuspost::config;

mod common;

const INCIDENT: &str = "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\", \"nope\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-03-29T01:30:00\nnext_update = \"30m\"\n+++\nErrors.\n";

fuzz_target!(|data: &[u8]| {
    let Ok(source) = Source::decode(Path::new("statuspost.toml"), data.to_vec()) else {
        return;
    };
    let mut diags = Vec::new();
    let parsed = config::parse(&source, &mut diags);
    common::check_diagnostics(&source, &diags);
    assert_eq!(parsed.is_some(), !diags.iter().any(|d| d.is_error()));
    let Some(config) = parsed else { return };
    assert!(!config.base_url.ends_with('/'));

    let incident = Source::new(Path::new("incidents/fuzz.md"), INCIDENT.to_string());
    let mut diags = Vec::new();
    let _ = statuspost::incident_file::parse(&incident, "fuzz".into(), &config, &mut diags);
    common::check_diagnostics(&incident, &diags);
});
