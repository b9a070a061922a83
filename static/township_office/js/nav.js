// The phone menu (≤ 720 px): 菜单 is a real button that folds and unfolds the main navigation, saying which with
// aria-expanded. Loaded in <head> (not deferred) so that the "js" class is set before the page is drawn: only then
// does the stylesheet fold the menu. Without JavaScript the menu stays unfolded and the button stays hidden.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".nav-toggle");
  var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!nav) { return; }
  toggle.hidden = false;
  function set(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }
  toggle.addEventListener("click", function () { set(toggle.getAttribute("aria-expanded") !== "true"); });
  // Escape folds the open menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
});
