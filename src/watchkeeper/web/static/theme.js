// The theme (dark by default, light on request) is applied before the page paints, from
// what this browser remembered; help.js has the toggle.
try {
  if (localStorage.getItem("wk.theme") === "light") document.documentElement.dataset.theme = "light";
} catch (e) { /* storage off: dark */ }
