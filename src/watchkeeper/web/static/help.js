// The keyboard-shortcut list (?) and the light/dark theme toggle (T), on every page.
const help = document.querySelector("#help");
const toggle = document.querySelector("#theme-toggle");

function typing(e) {
  return e.target instanceof HTMLElement && e.target.matches("input, select, textarea, [contenteditable]");
}

function setTheme(light) {
  if (light) document.documentElement.dataset.theme = "light";
  else delete document.documentElement.dataset.theme;
  try { localStorage.setItem("wk.theme", light ? "light" : "dark"); } catch (e) { /* not kept */ }
  label();
}

function label() {
  if (!toggle) return;
  const light = document.documentElement.dataset.theme === "light";
  toggle.textContent = light ? "Dark theme" : "Light theme";
  toggle.setAttribute("aria-pressed", String(light));
}

toggle?.addEventListener("click", () => setTheme(document.documentElement.dataset.theme !== "light"));
document.querySelector("#help-open")?.addEventListener("click", () => help?.showModal());
document.addEventListener("keydown", (e) => {
  if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  if (e.key === "?") { e.preventDefault(); if (help?.open) help.close(); else help?.showModal(); }
  else if ((e.key === "t" || e.key === "T") && !help?.open && toggle) { e.preventDefault(); setTheme(document.documentElement.dataset.theme !== "light"); }
});
label();
