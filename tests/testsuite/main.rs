//! Integration tests: real sites built by the real binary in temporary folders.

mod support;

mod announce;
mod browser;
mod build;
mod errors;
mod feed;
mod hosting;
mod i18n;
mod install;
mod interrupt;
mod maintenance;
mod properties;
mod publish;
mod readme;
mod serve;
mod workflow;
