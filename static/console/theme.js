// Light or dark before the first paint: the choice made with the top bar's
// toggle (remembered in localStorage), else the system's preference, followed
// live. console.js owns the toggle; this file only applies the mode.
(function () {
  "use strict";
  var query = window.matchMedia("(prefers-color-scheme: dark)");
  function stored() {
    try { return window.localStorage.getItem("console-theme"); } catch (error) { return null; }
  }
  function apply() {
    var theme = stored();
    if (theme !== "light" && theme !== "dark") theme = query.matches ? "dark" : "light";
    document.documentElement.setAttribute("data-bs-theme", theme);
  }
  apply();
  query.addEventListener("change", apply);
  window.addEventListener("storage", apply);  // another tab toggled
})();
