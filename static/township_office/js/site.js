// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  // Prevent double submission of a workflow action (the server refuses the second one anyway).
  if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.hasAttribute("data-download")) { return; }
  var buttons = form.querySelectorAll("button[type=submit]");
  window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});
// On a phone the steps are a bar stuck to the bottom of the screen: it starts folded to the steps' names, so the
// record (the 来文 itself) can be read first; a tap on a name unfolds its form. A form sent back with errors or
// with what was typed (data-keep-open) stays unfolded.
if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
  document.querySelectorAll(".steps details.step[open]:not([data-keep-open])").forEach(function (step) { step.open = false; });
}
// On a phone a list's filters fold behind one button, so the list itself is on the first screen; the button says how
// many filters are applied. Filters with an error stay open.
if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
  document.querySelectorAll("form.filters").forEach(function (form) {
    if (form.querySelector(".error")) { return; }
    var applied = 0;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit" || field.type === "button") { return; }
      if (field.type === "checkbox" || field.type === "radio" ? field.checked : field.value) { applied += 1; }
    });
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "filters-toggle";
    toggle.textContent = applied ? "筛选（已选 " + applied + " 项）" : "筛选";
    toggle.setAttribute("aria-expanded", "false");
    form.hidden = true;
    form.parentNode.insertBefore(toggle, form);
    toggle.addEventListener("click", function () {
      form.hidden = !form.hidden;
      toggle.setAttribute("aria-expanded", form.hidden ? "false" : "true");
    });
  });
}
// Poll a task-progress element: <div data-progress-url="..."> gets {"percent": n, "done": bool, "url": "..."}.
document.querySelectorAll("[data-progress-url]").forEach(function (box) {
  var bar = box.querySelector(".progress > div");
  var label = box.querySelector("[data-progress-label]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (bar) { bar.style.width = (data.percent || 0) + "%"; }
        if (label) { label.textContent = data.message || ((data.percent || 0) + "%"); }
        if (data.done && data.url) { box.querySelector("[data-progress-link]").hidden = false; box.querySelector("[data-progress-link] a").href = data.url; }
        else if (!data.failed) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
});
// Department pickers: one tap selects a whole group (全部站所, 全部村（居）) or clears it; the search box filters.
// Run on the page, and on every form put in later (a step's form fetched when unfolded: "township:content").
function enhancePickers(root) {
  root.querySelectorAll("[data-department-picker]").forEach(function (picker) {
    picker.querySelectorAll("[data-picker-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        var boxes = button.closest("[data-picker-group]").querySelectorAll("input[type=checkbox]");
        var all = Array.prototype.every.call(boxes, function (b) { return b.checked || b.disabled; });
        boxes.forEach(function (b) { if (!b.disabled) { b.checked = !all; } });
      });
    });
    var search = picker.querySelector("[data-picker-search]");
    if (search) {
      search.addEventListener("input", function () {
        var word = search.value.trim();
        picker.querySelectorAll(".picker-option").forEach(function (option) {
          option.hidden = word !== "" && option.textContent.indexOf(word) === -1;
        });
      });
    }
  });
}
enhancePickers(document);
document.addEventListener("township:content", function (event) { enhancePickers(event.target); });
// A form the page did not render (a step's, includes/steps.html; a 转交, includes/work_items.html): fetched from
// its URL when the person unfolds it, or points at it first, and put in place of the link, which stays for a page
// without JavaScript (or when the fetch fails: the link opens the record's page with that form).
function loadStepForm(step) {
  var slot = step.querySelector(":scope > [data-form-url]");
  if (!slot || slot.hasAttribute("data-loading")) { return; }
  slot.setAttribute("data-loading", "");
  fetch(slot.getAttribute("data-form-url"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var form = holder.querySelector("form");
      if (!form || !slot.parentNode) { throw new Error("no form"); }
      slot.parentNode.replaceChild(form, slot);
      form.dispatchEvent(new CustomEvent("township:content", { bubbles: true }));
    })
    .catch(function () { slot.removeAttribute("data-loading"); });
}
document.addEventListener("toggle", function (event) {
  var step = event.target;
  if (step.matches && step.matches("details.step, details.reassign") && step.open) { loadStepForm(step); }
}, true);
["pointerover", "focusin"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var summary = event.target.closest && event.target.closest("details.step > summary, details.reassign > summary");
    if (summary) { loadStepForm(summary.parentNode); }
  });
});
document.querySelectorAll("details.step[open], details.reassign[open]").forEach(loadStepForm);
