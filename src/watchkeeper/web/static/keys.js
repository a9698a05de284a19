// Alt+<access key> for every element with an accesskey, in any browser.
// Browsers differ on the modifier (Chromium Alt, Firefox Alt+Shift, Safari Ctrl+Alt) and
// automation often bypasses them; where the browser already acted it has marked the event
// handled, so the key is never applied twice.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : "";
  if (!key) return;
  const target = document.querySelector(`[accesskey="${CSS.escape(key)}"]`);
  if (!target) return;
  event.preventDefault();
  if (target.matches("a, button")) target.click();
  else target.focus();
});

// A filter marked data-autosubmit applies as soon as it changes (no inline handlers: the
// content security policy allows only the app's own script files).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});
