/* The phone's menu and page-contents buttons open their drawers.

   pydata-sphinx-theme 0.17.x (which sphinx-book-theme 1.3.0 pins) binds its drawer to the FIRST
   element with class primary-toggle / secondary-toggle only (document.querySelector). With
   sphinx-book-theme there are two of each: the header's (hidden at every width here) comes first,
   so the visible button in the article header gets no listener and does nothing (upstream
   pydata/pydata-sphinx-theme#2451). A click on any other toggle is passed on to the one the
   themes bound, so both themes' handlers (the drawer on a phone, the collapsed sidebar on a
   laptop) run as designed. When only one toggle of a kind exists, this does nothing. */
(function () {
  function forward(selector) {
    var bound = document.querySelector(selector);
    if (!bound) return;
    document.querySelectorAll(selector).forEach(function (button) {
      if (button === bound) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }
  function setup() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState !== "loading") setup();
  else document.addEventListener("DOMContentLoaded", setup);
})();
