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

