// What ocilink's pages do in the browser. The Content-Security-Policy allows no inline script or event handler, so
// templates mark elements with data attributes and this file (served by the platform itself) gives them behaviour.
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  ready(function () {
    // <form data-autosubmit>: sent as soon as the page is there (the punchout and test punchout start pages, the
    // demo webshop's cart transfer). Without script, the page shows a button in <noscript> instead.
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.submit();
    });
    // <select data-submit-on-change>: a choice sends its form (the language switch).
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  });
})();
