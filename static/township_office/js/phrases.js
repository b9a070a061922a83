// 常用批示语: one tap puts a phrase into the opinion box beside it; "×××" is selected to be typed over.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-phrase]");
  if (!button) { return; }
  event.preventDefault();
  var box = document.getElementById(button.closest("[data-phrases-for]").getAttribute("data-phrases-for"));
  if (!box) { return; }
  var phrase = button.getAttribute("data-phrase");
  var start = box.selectionStart || 0;
  var end = box.selectionEnd || 0;
  var before = box.value.slice(0, start);
  var after = box.value.slice(end);
  var glue = before && !/[，。；\s]$/.test(before) ? "，" : "";
  box.value = before + glue + phrase + after;
  var placeholder = phrase.indexOf("×××");
  box.focus();
  if (placeholder >= 0) {
    var at = before.length + glue.length + placeholder;
    box.setSelectionRange(at, at + 3);
  } else {
    var caret = before.length + glue.length + phrase.length;
    box.setSelectionRange(caret, caret);
  }
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
