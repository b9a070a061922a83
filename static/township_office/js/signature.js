// 手写签名 (township_office/widgets.py SignaturePad): draw with a finger, a pen or the mouse; the drawing goes into
// the hidden input as a PNG data URL when each stroke ends, and 清除 empties both. A drawing sent back with a
// form error is drawn again, so nothing drawn is lost.
function enhanceSignaturePads(root) {
  root.querySelectorAll("[data-signature-pad]").forEach(function (pad) {
    var canvas = pad.querySelector("[data-signature-canvas]");
    var input = pad.querySelector("input[type=hidden]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var sized = false;
    pad.hidden = false;

    function size() {
      // The canvas's own pixels follow its size on screen, so strokes are sharp on a phone's dense screen.
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.clientWidth;
      if (!width) { return; }
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      sized = true;
      if (input.value) {
        var image = new Image();
        image.onload = function () { context.drawImage(image, 0, 0, canvas.clientWidth, canvas.clientHeight); };
        image.src = input.value;
      }
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      if (!sized) { size(); }
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);  // a tap leaves a dot
      context.stroke();
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      event.preventDefault();
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
    });
    pad.addEventListener("toggle", function () { if (pad.open && !sized) { size(); } });
    if (pad.open) { size(); }
  });
}
enhanceSignaturePads(document);
document.addEventListener("township:content", function (event) { enhanceSignaturePads(event.target); });
