//! The WebSocket close codes the server uses, shared with the browser, which decides from them
//! whether to reconnect.

/// Normal closure.
pub const NORMAL: u16 = 1000;
/// The peer went silent.
pub const GOING_AWAY: u16 = 1001;
/// Too many bad frames, or too slow to keep up.
pub const POLICY: u16 = 1008;
/// A text frame that is not UTF-8.
pub const NOT_UTF8: u16 = 1007;
/// A frame over the size limit.
pub const TOO_BIG: u16 = 1009;
/// The server could not check something it must (the database failed): reconnect later.
pub const INTERNAL: u16 = 1011;
/// The credential no longer holds: a customer's widget token expired or was revoked.
pub const UNAUTHORIZED: u16 = 4401;
/// The guest link the socket was opened with was replaced.
pub const LINK_REPLACED: u16 = 4404;
/// The guest's support session ended.
pub const SESSION_ENDED: u16 = 4410;
