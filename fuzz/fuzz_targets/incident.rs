//! Any bytes as an incident (or maintenance) file: decoded as `load` reads
//! files, split into blocks, parsed against the standard config, and every
//! update's text linted and rendered.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use statuspost::source::Source;
use statuspost::{incident_file, lint, maintenance_file, markdown};

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = Source::decode(Path::new("incidents/fuzz.md"), data.to_vec()) else {
        return;
    };
    let text = &source.text;
    match incident_file::split(text) {
        Ok(blocks) => {
            for b in &blocks {
                // Every range is inside the text, on character boundaries.
                let _ = (
                    &text[b.open.clone()],
                    &text[b.settings.clone()],
                    &text[b.body.clone()],
                );
            }
        }
        Err(e) => assert!(e.span.start <= text.len() && text.is_char_boundary(e.span.start)),
    }

    let config = common::site_config();
    let mut diags = Vec::new();
    let incident = statuspost::incident_file::parse(&source, "fuzz".into(), config, &mut diags);
    common::check_diagnostics(&source, &diags);
    assert_eq!(incident.is_some(), !diags.iter().any(|d| d.is_error()));
    if let Some(incident) = &incident {
        for update in &incident.updates {
            let _ = lint::lint_update(update, incident, config);
            common::check_inert(&markdown::to_html(&update.body, 3));
        }
        let _ = lint::template_notes(&incident.summary);
        common::check_inert(&markdown::to_html(&incident.summary, 2));
    }

    let mut diags = Vec::new();
    let maintenance = maintenance_file::parse(&source, "fuzz".into(), config, &mut diags);
    common::check_diagnostics(&source, &diags);
    assert_eq!(maintenance.is_some(), !diags.iter().any(|d| d.is_error()));
});
