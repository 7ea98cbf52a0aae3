//! `serve` and `watch`.
