//! The loopback preview server.
