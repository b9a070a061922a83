// The attachment preview (templates/includes/preview.html): zoom buttons, switching between the files of a
// record, and waiting for a conversion. The pages themselves are plain <img loading="lazy">, so the preview
// reads without this file, and pinch-zoom on a phone works on them as on any image.
(function () {
  if (window.townshipPreview) { return; }
  window.townshipPreview = true;
  var STEPS = [50, 75, 100, 125, 150, 200, 300];
  // On a phone an A4 page fitted to the screen prints its 3号 text at under 10 px: the viewer opens at 125 %, where
  // the type area (156 of 210 mm) fills the screen and the text is about 12 px, scrolled to the page's middle inside
  // the viewer (the site's page itself never gets wider than the screen); 缩小 shows the whole page.
  var PHONE_ZOOM = 125;

  function phone() { return window.matchMedia && window.matchMedia("(max-width: 720px)").matches; }

  function setZoom(box, percent) {
    box.setAttribute("data-zoom", percent);
    var pages = box.querySelector(".preview-pages");
    // A page fills the phone's width; on a desktop it stays at most 900 px wide (both scaled by the zoom).
    if (pages) { pages.style.width = percent + "%"; pages.style.maxWidth = (9 * percent) + "px"; }
    var label = box.querySelector("[data-zoom-level]");
    if (label) { label.textContent = percent + "%"; }
    var body = box.querySelector("[data-preview-body]");
    if (body) { body.scrollLeft = (body.scrollWidth - body.clientWidth) / 2; }  // keep the page's middle in view
  }

  function prepare(box) {
    var zoom = box.querySelector("[data-preview-zoom]");
    if (zoom) { zoom.hidden = box.getAttribute("data-state") !== "ready"; }
    setZoom(box, parseInt(box.getAttribute("data-zoom") || (phone() ? PHONE_ZOOM : 100), 10));
    if (box.getAttribute("data-state") === "pending") {
      // Every 2 s at first, then less often: a long file, or a worker that is down, is not hammered.
      var wait = Math.min(10000, parseInt(box.getAttribute("data-wait") || "1000", 10) * 2);
      box.setAttribute("data-wait", wait);
      window.setTimeout(function () { poll(box); }, wait);
    }
  }

  // Swap in the body, name and download link of a freshly fetched viewer.
  function load(box, url, poll) {
    return fetch(url + (poll ? "?poll=1" : ""), { credentials: "same-origin", headers: { "X-Preview-Fragment": "1" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-preview]");
        if (!fresh) { return; }
        box.querySelector("[data-preview-body]").replaceWith(fresh.querySelector("[data-preview-body]"));
        box.querySelector("[data-preview-name]").textContent = fresh.querySelector("[data-preview-name]").textContent;
        box.querySelector("[data-preview-download]").href = fresh.querySelector("[data-preview-download]").href;
        box.setAttribute("data-state", fresh.getAttribute("data-state"));
        box.setAttribute("data-preview-url", url);
        prepare(box);
      });
  }

  function poll(box) {
    if (box.getAttribute("data-state") !== "pending") { return; }
    load(box, box.getAttribute("data-preview-url"), true).catch(function () { window.setTimeout(function () { poll(box); }, 5000); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-preview] [data-zoom]");
    if (button && button.tagName === "BUTTON") {
      var box = button.closest("[data-preview]");
      var now = parseInt(box.getAttribute("data-zoom") || "100", 10);
      var index = STEPS.indexOf(now);
      if (index < 0) { index = STEPS.indexOf(100); }
      index = Math.max(0, Math.min(STEPS.length - 1, index + parseInt(button.getAttribute("data-zoom"), 10)));
      setZoom(box, STEPS[index]);
      return;
    }
    var link = event.target.closest("[data-preview-switch]");
    if (link) {
      event.preventDefault();
      var viewer = link.closest("[data-preview]");
      viewer.querySelectorAll("[data-preview-switch]").forEach(function (a) { a.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "true");
      load(viewer, link.getAttribute("href"), false).catch(function () { window.location.href = link.href; });
    }
  });

  function start() { document.querySelectorAll("[data-preview]").forEach(prepare); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
