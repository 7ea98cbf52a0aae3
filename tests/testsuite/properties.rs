//! Property tests: no input makes statuspost panic or lose words.
