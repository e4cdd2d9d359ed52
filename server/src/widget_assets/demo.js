// The demo host page's own script: the stub that queues calls until the loader has run, and
// buttons that call the host page API. No inline script: the page's CSP forbids it.
window.Switchboard = window.Switchboard || (function () {
  var q = [], s = { _q: q };
  ["open", "close", "toggle", "identify", "reset", "on"].forEach(function (m) {
    s[m] = function () { q.push([m, [].slice.call(arguments)]); };
  });
  return s;
})();
Switchboard.on("unread", function (count) {
  var out = document.getElementById("demo-unread");
  if (out) out.textContent = String(count);
});
["open", "close", "message"].forEach(function (name) {
  Switchboard.on(name, function () {
    var out = document.getElementById("demo-event");
    if (out) out.textContent = name;
  });
});
document.addEventListener("DOMContentLoaded", function () {
  document.getElementById("demo-open").addEventListener("click", function () { Switchboard.open(); });
  document.getElementById("demo-close").addEventListener("click", function () { Switchboard.close(); });
  document.getElementById("demo-reset").addEventListener("click", function () { Switchboard.reset(); });
});
