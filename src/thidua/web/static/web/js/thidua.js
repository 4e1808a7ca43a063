// Page behaviour that CSP keeps out of the HTML: no inline handlers, everything here.
(function () {
  "use strict";

  // Forms that destroy or undo something ask first (data-confirm="sentence").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // The roll call (form[data-quorum-minimum]): the quorum as ticked, before it is saved.
  function rollCall(form) {
    var out = form.querySelector("#co-mat-tam-tinh");
    var members = parseInt(form.getAttribute("data-quorum-members"), 10);
    var minimum = parseInt(form.getAttribute("data-quorum-minimum"), 10);
    if (!out) { return; }
    function update() {
      var present = form.querySelectorAll('input[type="radio"][value="1"]:checked').length;
      var absent = form.querySelectorAll('input[type="radio"][value="0"]:checked').length;
      var met = members > 0 && present >= minimum;
      out.textContent = "Đang chọn (chưa lưu): " + present + "/" + members + " có mặt, " +
        absent + " vắng, " + (members - present - absent) + " chưa điểm danh — " +
        (met ? "đủ" : "chưa đủ") + " số đơn vị để biểu quyết (cần ít nhất " + minimum + ").";
      out.className = "quorum " + (met ? "ok" : "warn");
    }
    form.addEventListener("change", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-quorum-minimum]").forEach(rollCall);
  });

  // An error summary takes the focus so a screen reader announces it first.
  function focusErrors(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrors(event.target); });

  // A partial update the server refused outright (403, 404, 500) swaps nothing: say so
  // instead of leaving the page silently unchanged.
  function showProblem(text) {
    var box = document.getElementById("loi-ket-noi");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showProblem(status === 403 ? "Bạn không có quyền thực hiện thao tác này." :
      status === 404 ? "Không tìm thấy dữ liệu; hãy tải lại trang." :
      "Máy chủ chưa thực hiện được thao tác (mã " + status + "). Hãy thử lại.");
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem("Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.");
  });
})();
