// A ballot form (data-quota): once `quota` boxes are marked, the others are disabled.
// The server refuses more marks anyway (Quy tắc 33); this only saves a refused send.
(function () {
  "use strict";
  function update(form) {
    var quota = parseInt(form.getAttribute("data-quota"), 10);
    var boxes = form.querySelectorAll('input[type="checkbox"][name="candidates"]');
    var marked = 0;
    boxes.forEach(function (box) { if (box.checked) { marked += 1; } });
    boxes.forEach(function (box) { box.disabled = !box.checked && marked >= quota; });
  }
  document.querySelectorAll("form.form-phieu[data-quota]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
