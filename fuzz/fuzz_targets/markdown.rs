//! Any text as an update's markdown: rendering never panics and never yields
//! anything that runs or loads from elsewhere.
#![no_main]

use libfuzzer_sys::fuzz_target;
use statuspost::markdown;

mod common;

fuzz_target!(|text: &str| {
    let html = markdown::to_html(text, 2);
    assert!(!html.contains("<script"), "{html}");
    common::check_inert(&html);
    let _ = markdown::has_heading(text);
    let _ = statuspost::lint::template_notes(text);
});
