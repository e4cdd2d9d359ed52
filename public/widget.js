/*
 * Switchboard widget loader. One iframe, SB/widget?host=<host origin>[&lang=<locale>],
 * draws the whole UI; the loader only places and sizes it (CSSOM only, strict CSP).
 * Host: <script src="https://SB/widget.js" defer data-user-id data-email data-name
 *   data-issued-at data-signature data-locale data-position="right|left"></script>
 *
 * postMessage: every message is {sb: 1, type, ...}. The loader posts to origin SB
 * and accepts only source === iframe window && origin === SB && sb === 1.
 * iframe -> host:
 *   ready {position}                answered with init each time (iframe reloads too);
 *                                   position: the side operators chose (data-position wins)
 *   visitor_token {visitor_token}   stored in host localStorage "switchboard:visitor:"+SB
 *   state {open}                    loader resizes; emits open/close on a change
 *   unread {count}, message {message}  emitted to on() handlers
 * host -> iframe:
 *   init {identity, visitor_token, locale, open, position, full}   a full snapshot:
 *     identity null | {user_id: string, email, name, issued_at, signature} (missing ones
 *     null; issued_at, Unix seconds, makes it the v1.1 signature over every field);
 *     open: on the first ready, the net result of open/close/toggle calls so far
 *     (folded in, not queued); on later readies, the last reported state.
 *     identify/reset made before the first ready are still posted after init, so an
 *     identify with the current identity must be a no-op.
 *   layout {full}   whether the open panel fills the screen (a phone), on each change
 *   open, close, toggle, identify {identity}
 *   reset   token and identity already dropped; the iframe signs its widget token out on
 *           the server, then starts a new anonymous visitor.
 *
 * API: Switchboard.open() close() toggle() identify({userId, email, name, issuedAt, signature})
 * reset() on("open"|"close"|"unread"|"message", fn) -> off. Stub for earlier calls:
 *   window.Switchboard=window.Switchboard||(function(){var q=[],s={_q:q};["open","close","toggle","identify","reset","on"].forEach(function(m){s[m]=function(){q.push([m,[].slice.call(arguments)])}});return s})();
 */
(function () {
  "use strict";

  var prev = window.Switchboard;
  if (prev && prev.__loaded === true) return;

  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="/widget.js"]');
    script = all[all.length - 1];
  }
  if (!script || !script.src) return;

  var ORIGIN = new URL(script.src).origin;
  var KEY = "switchboard:visitor:" + ORIGIN;
  var ds = script.dataset;
  var locale = ds.locale || null;
  // The script tag's data-position wins; else the side operators chose, which "ready" names.
  var side = ds.position === "left" ? "left" : "right";
  var identity = makeIdentity(ds.userId, ds.email, ds.name, ds.signature, ds.issuedAt);

  var frame = null;
  var ready = false; // set by the first "ready"
  var queue = [];
  var wantOpen = false; // open/close/toggle before the first ready
  var isOpen = false; // last state reported by the iframe
  var handlers = Object.create(null);

  // Storage may be blocked or full: then the token lives in memory for this page view.
  var mem = null;
  var storageOk = true;
  function getToken() {
    try {
      if (storageOk) mem = localStorage.getItem(KEY);
    } catch (e) {
      storageOk = false;
    }
    return mem;
  }
  function setToken(t) {
    mem = t;
    try {
      if (storageOk) t ? localStorage.setItem(KEY, t) : localStorage.removeItem(KEY);
    } catch (e) {
      storageOk = false;
    }
  }

  function makeIdentity(userId, email, name, signature, issuedAt) {
    if (userId == null || userId === "") return null; // anonymous
    var at = Number(issuedAt);
    return {
      user_id: String(userId),
      email: email || null,
      name: name || null,
      issued_at: issuedAt != null && issuedAt !== "" && isFinite(at) ? Math.floor(at) : null,
      signature: signature || null,
    };
  }

  function send(msg) {
    msg.sb = 1;
    var w = frame && frame.contentWindow;
    if (w) w.postMessage(msg, ORIGIN);
  }

  function post(msg) {
    if (ready) send(msg);
    else queue.push(msg);
  }

  function emit(name, arg) {
    (handlers[name] || []).slice().forEach(function (fn) {
      try {
        fn(arg);
      } catch (e) {
        console.error(e);
      }
    });
  }

  // "important" so that host rules such as `iframe { width: 100% !important }` lose.
  function css(props) {
    for (var k in props) frame.style.setProperty(k, props[k], "important");
  }

  var mq = window.matchMedia("(max-width: 480px)");
  var fullHeight = CSS.supports("height", "100dvh") ? "100dvh" : "100%";
  var wasFull = false;

  function layout() {
    var full = isOpen && mq.matches;
    var p = {
      top: full ? "0" : "auto",
      left: full ? "0" : "auto",
      right: full ? "0" : "auto",
      bottom: full ? "0" : "16px",
      width: full ? "100%" : isOpen ? "400px" : "88px",
      height: full
        ? fullHeight
        : isOpen
          ? Math.max(0, Math.min(680, window.innerHeight - 32)) + "px"
          : "88px",
    };
    if (!full) p[side] = "16px";
    css(p);
    // The iframe cannot tell a phone from the 400 px desktop panel by its own width.
    if (ready && full !== wasFull) send({ type: "layout", full: full });
    wasFull = full;
  }

  function onViewport() {
    if (frame && isOpen) layout();
  }

  function onMessage(e) {
    var d = e.data;
    if (!frame || e.source !== frame.contentWindow || e.origin !== ORIGIN || !d || d.sb !== 1) return;
    switch (d.type) {
      case "ready":
        if (!ds.position && (d.position === "left" || d.position === "right") && d.position !== side) {
          side = d.position;
          layout();
        }
        send({
          type: "init",
          identity: identity,
          visitor_token: getToken(),
          locale: locale,
          open: ready ? isOpen : wantOpen,
          position: side,
          full: isOpen && mq.matches,
        });
        ready = true;
        var q = queue;
        queue = [];
        q.forEach(send);
        break;
      case "visitor_token":
        if (typeof d.visitor_token === "string" && d.visitor_token) setToken(d.visitor_token);
        break;
      case "state":
        var open = d.open === true;
        if (open === isOpen) return;
        isOpen = open;
        layout();
        emit(open ? "open" : "close");
        break;
      case "unread":
        if (typeof d.count === "number" && d.count >= 0) emit("unread", Math.floor(d.count));
        break;
      case "message":
        if (d.message) emit("message", d.message);
        break;
    }
  }

  function mount() {
    frame = document.createElement("iframe");
    frame.src =
      ORIGIN +
      "/widget?host=" +
      encodeURIComponent(location.origin) +
      (locale ? "&lang=" + encodeURIComponent(locale) : "");
    frame.setAttribute("title", "Support chat");
    frame.setAttribute("allow", "autoplay");
    css({
      position: "fixed",
      margin: "0",
      border: "0",
      background: "transparent",
      // Keeps the iframe transparent when the host's color-scheme differs from the widget's.
      "color-scheme": "normal",
      "z-index": "2147483000",
      "max-width": "100%",
      "max-height": "100%",
    });
    layout();
    window.addEventListener("message", onMessage);
    window.addEventListener("resize", onViewport);
    if (mq.addEventListener) mq.addEventListener("change", onViewport);
    else if (mq.addListener) mq.addListener(onViewport); // Safari < 14
    document.body.appendChild(frame);
  }

  function panel(type) {
    return function () {
      if (ready) return send({ type: type });
      wantOpen = type === "open" ? true : type === "close" ? false : !wantOpen;
    };
  }

  var api = {
    __loaded: true,
    open: panel("open"),
    close: panel("close"),
    toggle: panel("toggle"),
    identify: function (o) {
      o = o || {};
      var id = makeIdentity(o.userId, o.email, o.name, o.signature, o.issuedAt);
      if (!id) return; // going anonymous is reset()
      identity = id;
      post({ type: "identify", identity: id });
    },
    reset: function () {
      setToken(null);
      identity = null;
      post({ type: "reset" });
    },
    on: function (name, fn) {
      if (typeof fn !== "function") return function () {};
      var list = handlers[name] || (handlers[name] = []);
      list.push(fn);
      return function () {
        var i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
  };

  if (prev && Array.isArray(prev._q)) {
    prev._q.forEach(function (call) {
      var f = call && api.hasOwnProperty(call[0]) && api[call[0]];
      if (typeof f !== "function") return;
      try {
        f.apply(api, call[1] || []);
      } catch (e) {
        console.error(e);
      }
    });
  }
  window.Switchboard = api;

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
