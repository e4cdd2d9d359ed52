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
