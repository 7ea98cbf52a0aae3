//! Watching the site folder for changes.
