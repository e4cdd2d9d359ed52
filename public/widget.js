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
  var SVG = "http://www.w3.org/2000/svg";
  var ds = script.dataset;
  var locale = ds.locale || null;
  // The script tag's data-position wins; else the side operators chose.
  var side = ds.position === "left" ? "left" : "right";
  var identity = makeIdentity(ds.userId, ds.email, ds.name, ds.signature, ds.issuedAt);

  var shell = null; // the launcher's host element, in the page
  var button = null;
  var iconPath = null;
  var badge = null;
  var labels = { open: "Open chat", close: "Close chat", unread: "" };
  var unread = 0;
  var lookAsked = 0; // which answer of the launcher endpoint is the latest asked for

  var frame = null;
  var ready = false; // set by the first "ready" of the mounted iframe
  var queue = [];
  var wantOpen = false; // open/close/toggle and clicks before the first ready
  var isOpen = false; // last state reported by the iframe
  var focusOnOpen = false; // the launcher opened it: the composer takes the focus
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

  // To a mounted iframe, now or once it is ready; an iframe mounted later starts from init.
  function post(msg) {
    if (ready) send(msg);
    else if (frame) queue.push(msg);
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
  function css(el, props) {
    for (var k in props) el.style.setProperty(k, props[k], "important");
  }

  function el(tag, props, parent) {
    var node = document.createElement(tag);
    css(node, props);
    if (parent) parent.appendChild(node);
    return node;
  }

  var mq = window.matchMedia("(max-width: 480px)");
  var fullHeight = CSS.supports("height", "100dvh") ? "100dvh" : "100%";
  var wasFull = false;

  // The launcher: 64 px, 28 px from the bottom and the side, over the iframe. The open panel
  // stands above it, the iframe's page leaving the launcher's corner empty (on a phone the
  // panel fills the screen, over a hidden launcher); closed, the iframe waits behind the
  // launcher, out of sight and out of the pointer's way.
  function layout() {
    var full = isOpen && mq.matches;
    if (shell) {
      var place = { bottom: "28px", left: "auto", right: "auto", display: full ? "none" : "block" };
      place[side] = "28px";
      css(shell, place);
    }
    if (frame) {
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
        opacity: isOpen ? "1" : "0",
        "pointer-events": isOpen ? "auto" : "none",
      };
      if (!full) p[side] = "16px";
      css(frame, p);
    }
    // The iframe cannot tell a phone from the 400 px desktop panel by its own width.
    if (ready && full !== wasFull) send({ type: "layout", full: full });
    wasFull = full;
  }

  function onViewport() {
    if (isOpen) layout();
  }

  // The badge is there only while something is unread.
  function drawBadge() {
    if (badge) badge.remove();
    badge = null;
    if (unread <= 0) return;
    badge = el(
      "span",
      {
        position: "absolute",
        top: "-4px",
        "inset-inline-end": "-4px",
        "min-width": "22px",
        padding: "0 6px",
        "box-sizing": "border-box",
        "border-radius": "999px",
        background: "#b42318",
        color: "#fff",
        "text-align": "center",
      },
      button,
    );
    badge.className = "unread-badge";
    var shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = unread > 9 ? "9+" : String(unread);
    badge.appendChild(shown);
    el("span", hidden, badge).textContent = labels.unread;
  }

  // Visually hidden, still read by screen readers.
  var hidden = {
    position: "absolute",
    width: "1px",
    height: "1px",
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    "white-space": "nowrap",
    margin: "-1px",
    padding: "0",
  };

  function drawLabel() {
    var expanded = isOpen || (!ready && wantOpen);
    button.setAttribute("aria-label", expanded ? labels.close : labels.open);
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    iconPath.setAttribute("d", expanded ? "M6 6l12 12M18 6L6 18" : "M4 5h16v11H9l-5 4z");
  }

  function drawLauncher() {
    shell = el("div", {
      position: "fixed",
      "z-index": "2147483001",
      width: "64px",
      height: "64px",
      margin: "0",
      padding: "0",
      border: "0",
      visibility: "hidden",
    });
    shell.setAttribute("data-switchboard", "launcher");
    var root = shell.attachShadow ? shell.attachShadow({ mode: "open" }) : shell;
    button = el(
      "button",
      {
        position: "relative",
        display: "grid",
        "place-items": "center",
        width: "64px",
        height: "64px",
        margin: "0",
        padding: "0",
        border: "0",
        "border-radius": "50%",
        cursor: "pointer",
        "box-shadow": "0 4px 14px rgb(0 0 0 / 0.25)",
        font: "700 13px/22px system-ui, sans-serif",
      },
      root,
    );
    button.className = "launcher";
    button.type = "button";
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    iconPath = document.createElementNS(SVG, "path");
    svg.appendChild(iconPath);
    button.appendChild(svg);
    paint("#2452d4", "#ffffff");
    drawLabel();
    drawBadge();
    button.addEventListener("click", function () {
      focusOnOpen = true;
      toggle();
    });
    // Intent: the iframe starts loading while the pointer or the focus is on its way.
    ["pointerenter", "focus", "touchstart"].forEach(function (name) {
      button.addEventListener(name, mountFrame, { passive: true });
    });
    layout();
    document.body.appendChild(shell);
  }

  function show() {
    if (shell) css(shell, { visibility: "visible" });
  }

  function paint(color, text) {
    css(button, { background: color, color: text });
  }

  // The launcher's look and words and the visitor's unread count, from
  // POST SB/api/v1/widget/launcher through a hidden page of SB's (SB/embed/launcher): the
  // host page's policy may forbid connecting to SB but allows framing it. Without an answer
  // (a page that may not embed the widget is refused the frame) no launcher shows.
  var counter = null;
  var counterReady = false;
  function askLook() {
    if (!counterReady) return;
    var body = identity ? Object.assign({}, identity) : { visitor_token: getToken() };
    if (locale) body.locale = locale;
    counter.contentWindow.postMessage({ sb: 1, type: "launcher", asked: ++lookAsked, body: body }, ORIGIN);
  }

  function mountCounter() {
    counter = document.createElement("iframe");
    counter.src = ORIGIN + "/embed/launcher?host=" + encodeURIComponent(location.origin);
    counter.setAttribute("title", "Support chat launcher");
    counter.setAttribute("aria-hidden", "true");
    counter.tabIndex = -1;
    css(counter, { display: "none" });
    document.body.appendChild(counter);
  }

  function onCounter(d) {
    if (d.type === "launcher_ready") {
      counterReady = true;
      return askLook();
    }
    if (d.type !== "launcher" || d.asked !== lookAsked || !shell) return;
    var look = d.look;
    if (d.status !== 200 || !look || !look.labels) return show();
    if (!ds.position && (look.position === "left" || look.position === "right")) side = look.position;
    shell.setAttribute("lang", look.lang);
    shell.setAttribute("dir", look.dir);
    paint(look.color, look.text_color);
    labels = look.labels;
    drawLabel();
    // The iframe's live count, once it has one, is newer than this answer.
    if (!ready) setUnread(look.unread, look.labels.unread);
    layout();
    show();
  }

  function setUnread(count, label) {
    var changed = count !== unread;
    unread = count;
    labels.unread = label || "";
    drawBadge();
    if (changed || !ready) emit("unread", count);
  }

  function onMessage(e) {
    var d = e.data;
    if (e.origin !== ORIGIN || !d || d.sb !== 1) return;
    if (counter && e.source === counter.contentWindow) return onCounter(d);
    if (!frame || e.source !== frame.contentWindow) return;
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
          full: (ready ? isOpen : wantOpen) && mq.matches,
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
        var hadFocus = document.activeElement === frame;
        isOpen = open;
        layout();
        drawLabel();
        if (open && focusOnOpen) {
          frame.focus();
          send({ type: "focus" });
        }
        focusOnOpen = false;
        // Closed from inside the panel (its close button, Escape): the focus comes back here.
        if (!open && hadFocus && button) button.focus();
        emit(open ? "open" : "close");
        break;
      case "unread":
        if (typeof d.count === "number" && d.count >= 0) {
          setUnread(Math.floor(d.count), typeof d.label === "string" ? d.label : "");
        }
        break;
      case "message":
        if (d.message) emit("message", d.message);
        break;
    }
  }

  function mountFrame() {
    if (frame) return;
    frame = document.createElement("iframe");
    frame.src =
      ORIGIN +
      "/widget?host=" +
      encodeURIComponent(location.origin) +
      (locale ? "&lang=" + encodeURIComponent(locale) : "");
    frame.setAttribute("title", "Support chat");
    frame.setAttribute("allow", "autoplay");
    css(frame, {
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
    document.body.appendChild(frame);
  }

  // Opens or closes the panel, mounting the iframe first when it is not there yet.
  function panel(type) {
    if (ready) return send({ type: type });
    wantOpen = type === "open" ? true : type === "close" ? false : !wantOpen;
    if (wantOpen) mountFrame();
    if (button) drawLabel();
  }

  function toggle() {
    panel("toggle");
  }

  var api = {
    __loaded: true,
    open: function () {
      panel("open");
    },
    close: function () {
      panel("close");
    },
    toggle: toggle,
    identify: function (o) {
      o = o || {};
      var id = makeIdentity(o.userId, o.email, o.name, o.signature, o.issuedAt);
      if (!id) return; // going anonymous is reset()
      identity = id;
      post({ type: "identify", identity: id });
      if (!frame) askLook();
    },
    reset: function () {
      setToken(null);
      identity = null;
      post({ type: "reset" });
      if (!frame && shell) setUnread(0, "");
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

  function start() {
    window.addEventListener("message", onMessage);
    window.addEventListener("resize", onViewport);
    if (mq.addEventListener) mq.addEventListener("change", onViewport);
    else if (mq.addListener) mq.addListener(onViewport); // Safari < 14
    drawLauncher();
    mountCounter();
  }

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

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
