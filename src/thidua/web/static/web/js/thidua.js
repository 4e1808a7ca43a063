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
})();
