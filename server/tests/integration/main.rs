//! The server's integration tests, in one binary: each test starts the real server (its own
//! `TestServer`, its own database) and speaks real HTTP and WebSocket to it.

mod common;

mod accounts;
mod api;
mod appearance;
mod chaos;
mod chat;
mod connections;
mod cross_site;
mod customer_doors;
mod customer_records;
mod email;
mod email_confirmation;
mod files;
mod files_access;
mod hardening;
mod inbox;
mod openapi;
mod operations;
mod pages;
mod promises;
mod retention;
mod search;
mod session_reports;
mod shared_inbox;
mod shared_inbox_library;
mod shared_inbox_notes;
mod shared_inbox_viewers;
mod team;
mod transcripts;
mod two_nodes;
mod widget;
mod widget_identity;
mod widget_launcher;
