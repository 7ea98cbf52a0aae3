//! Integration tests: real sites built by the real binary in temporary folders.

// A test binary has no API: `pub` in its helpers only shares them between modules.
#![allow(unreachable_pub)]

mod support;

mod announce;
mod browser;
mod build;
mod cli;
mod concurrency;
mod demo;
mod errors;
mod feed;
mod hostile;
mod hosting;
mod i18n;
mod install;
mod interrupt;
mod maintenance;
mod post;
mod properties;
mod publish;
mod readers;
mod readme;
mod serve;
mod status;
mod templates;
mod workflow;
