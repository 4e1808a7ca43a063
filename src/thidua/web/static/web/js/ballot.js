// A ballot form (form.form-phieu, data-quota): once `quota` boxes are marked, the others
// are disabled — the server refuses more marks anyway (Quy tắc 33); this only saves a
// refused send. A ballot sent with no mark asks first (data-blank-question): a blank
// ballot counts and cannot be taken back. Without this script the server asks instead.
// A card's link carries its token after "#" (never sent to a server, so never logged):
// on the opening page (form#mo-phieu) the token is moved into the form, wiped from the
// address bar and history, and posted.
(function () {
  "use strict";
  var opener = document.getElementById("mo-phieu");
  var token = window.location.hash.replace(/^#/, "");
  if (opener && token.indexOf("phieu_") === 0) {
    opener.querySelector('input[name="the"]').value = token;
    window.history.replaceState(null, "", window.location.pathname);
    var busy = document.getElementById("dang-mo");
    if (busy) { busy.hidden = false; }
    opener.submit();
  }
  // A card's link opened again in a tab already on a ballot page differs only by its
  // fragment: the browser does not load anything. Load the opening page for it.
  window.addEventListener("hashchange", function () {
    var again = window.location.hash.replace(/^#/, "");
    if (again.indexOf("phieu_") === 0) {
      window.location.replace(window.location.pathname + "?the=moi#" + again);
    }
  });
  function boxes(form) {
    return form.querySelectorAll('input[type="checkbox"][name="candidates"]');
  }
  function update(form) {
    var quota = parseInt(form.getAttribute("data-quota"), 10);
    var marked = 0;
    boxes(form).forEach(function (box) { if (box.checked) { marked += 1; } });
    boxes(form).forEach(function (box) { box.disabled = !box.checked && marked >= quota; });
  }
  function confirmBlank(event) {
    var form = event.currentTarget;
    var question = form.getAttribute("data-blank-question");
    var blank = form.querySelector('input[name="phieu_trang"]');
    var marked = Array.prototype.some.call(boxes(form), function (box) { return box.checked; });
    if (marked || !question || !blank) {
      return;
    }
    if (window.confirm(question)) {
      blank.value = "1";
    } else {
      event.preventDefault();
    }
  }
  document.querySelectorAll("form.form-phieu[data-quota]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("submit", confirmBlank);
    update(form);
  });
})();
