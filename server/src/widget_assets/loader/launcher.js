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

