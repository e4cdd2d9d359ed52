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

