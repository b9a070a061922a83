// The reception plan form: add and remove rows of guests, itinerary and materials, and check the rules of the
// 《党政机关国内公务接待管理规定》 as the plan is typed (the server answers with the breaches; nothing is saved).
(function () {
  var form = document.getElementById("plan-form");
  if (!form) { return; }

  function totalInput(box) {
    return box.querySelector("input[name$='-TOTAL_FORMS']");
  }

  form.querySelectorAll("[data-formset]").forEach(function (box) {
    var body = box.querySelector("[data-formset-body]");
    var template = box.querySelector("template[data-empty-form]");
    box.querySelector("[data-add-row]").addEventListener("click", function () {
      var total = totalInput(box);
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/第新行/g, "第" + (index + 1) + "行");
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      scheduleCheck();
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) { return; }
      // A row not yet saved is simply dropped: the formset ignores an index with no data.
      button.closest("tr").remove();
      scheduleCheck();
    });
  });

  var panel = form.querySelector("[data-rule-check]");
  var url = form.getAttribute("data-check-url");
  var timer = null;
  var sequence = 0;

  function scheduleCheck() {
    if (!panel || !url) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 500);
  }

  function check() {
    var data = new FormData(form);
    var scan = form.querySelector("input[type=file][name=letter_scan]");
    if (scan) {
      data.delete("letter_scan");  // the rule needs to know a scan is chosen, not its bytes
      if (scan.files && scan.files.length) { data.append("has_new_scan", "1"); }
    }
    var mine = ++sequence;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== sequence) { return; }
        var list = panel.querySelector("[data-rule-list]");
        list.innerHTML = "";
        answer.breaches.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          list.appendChild(li);
        });
        panel.querySelector("[data-rule-ok]").hidden = answer.breaches.length > 0;
        panel.hidden = false;
        // Warnings (a start already past) are shown above the plan and refuse nothing.
        var warnings = form.querySelector("[data-plan-warnings]");
        if (warnings) {
          warnings.innerHTML = "";
          (answer.warnings || []).forEach(function (text) {
            var li = document.createElement("li");
            li.className = "msg-warning";
            li.textContent = text;
            warnings.appendChild(li);
          });
        }
      })
      .catch(function () { /* the rules are checked again on submission */ });
  }

  form.addEventListener("input", scheduleCheck);
  form.addEventListener("change", scheduleCheck);
})();
