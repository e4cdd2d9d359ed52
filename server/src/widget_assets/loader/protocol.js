/*
 * Switchboard widget loader. It draws the launcher itself (in a shadow root, CSSOM only, so a
 * strict host CSP allows it), with its words, colours and the visitor's unread count from
 * POST SB/api/v1/widget/launcher (asked through the hidden page SB/embed/launcher?host=<host
 * origin>, so the host's policy needs to allow framing SB only), and mounts the chat's iframe,
 * SB/widget?host=<host origin>[&lang=<locale>], only when the visitor shows intent (pointer
 * over the launcher, focus, touch, click) or the host page calls open()/toggle(). Until then
 * the host page downloads this file, that small page and its one answer, nothing else.
 * Host: <script src="https://SB/widget.js" defer data-user-id data-email data-name
 *   data-issued-at data-signature data-locale data-position="right|left"></script>
 *
 * postMessage: every message is {sb: 1, type, ...}. The loader posts to origin SB
 * and accepts only source === one of its iframes' windows && origin === SB && sb === 1.
 * launcher page <-> host: launcher_ready; launcher {asked, body} (the session's body) is
 *   answered with launcher {asked, status, look} (look: the endpoint's JSON).
 * iframe -> host:
 *   ready {position}                answered with init each time (iframe reloads too)
 *   visitor_token {visitor_token}   stored in host localStorage "switchboard:visitor:"+SB
 *   state {open}                    the loader shows or hides the panel; emits open/close
 *   unread {count, label}           the badge (label: the count in words); emitted to on()
 *   message {message}               emitted to on() handlers
 * host -> iframe:
 *   init {identity, visitor_token, locale, open, position, full}   a full snapshot:
 *     identity null | {user_id: string, email, name, issued_at, signature} (missing ones
 *     null; issued_at, Unix seconds, makes it the v1.1 signature over every field);
 *     open: on the first ready, the net result of open/close/toggle calls and launcher
 *     clicks so far (folded in, not queued); on later readies, the last reported state.
 *     identify/reset made while the iframe loads are posted after init, so an identify
 *     with the current identity must be a no-op.
 *   layout {full}   whether the open panel fills the screen (a phone), on each change
 *   open, close, toggle, identify {identity}
 *   focus   the panel is shown and the iframe has the focus: put it in the composer
 *   reset   token and identity already dropped; the iframe signs its widget token out on
 *           the server, then starts a new anonymous visitor.
 *
 * API: Switchboard.open() close() toggle() identify({userId, email, name, issuedAt, signature})
 * reset() on("open"|"close"|"unread"|"message", fn) -> off. Stub for earlier calls:
 *   window.Switchboard=window.Switchboard||(function(){var q=[],s={_q:q};["open","close","toggle","identify","reset","on"].forEach(function(m){s[m]=function(){q.push([m,[].slice.call(arguments)])}});return s})();
 */
