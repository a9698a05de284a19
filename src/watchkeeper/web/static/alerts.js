// Analytics alerts on the console: a badge in the page, a flashing tile on the wall for each
// camera with an open alert, and a short tone when a new alert arrives. Polls /api/alerts.
const seen = new Set();
let first = true;

function tone() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
  } catch { /* no audio device: the flashing tile still shows */ }
}

function mark(cameras) {
  document.querySelectorAll("wk-live-tile").forEach((t) =>
    t.classList.toggle("alert-flash", cameras.has(t.getAttribute("camera") || "")));
  document.querySelectorAll("[data-camera]").forEach((el) => {
    if (el.tagName === "LI") el.classList.toggle("alert-flash", cameras.has(el.dataset.camera));
  });
}

async function poll() {
  try {
    const r = await fetch("/api/alerts?status=open");
    if (!r.ok) return;
    const { alerts } = await r.json();
    const fresh = alerts.filter((a) => !seen.has(a.id));
    alerts.forEach((a) => seen.add(a.id));
    if (fresh.length && !first) tone();
    first = false;
    mark(new Set(alerts.map((a) => a.camera_id)));
    const badge = document.querySelector("#alert-count");
    if (badge) {
      badge.textContent = alerts.length ? `${alerts.length} alert${alerts.length > 1 ? "s" : ""}` : "";
      badge.hidden = !alerts.length;
    }
  } catch { /* server restarting: try again at the next tick */ }
}

poll();
setInterval(poll, 3000);
