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

