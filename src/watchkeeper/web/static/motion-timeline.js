// Motion on the playback timeline: a strip under the day bar, drawn for the first camera
// over the bar's own range. playback.js says which range it drew (data-start/end/camera on
// #pb-timeline); this module watches those and fetches the camera's motion spans.
const bar = document.querySelector("#pb-timeline");
const strip = document.querySelector("#pb-motion");

async function draw() {
  const { start, end, camera } = bar.dataset;
  if (!start || !end || !camera || !strip) return;
  const a = Number(start), b = Number(end);
  const q = new URLSearchParams({ start: String(Math.round(a)), end: String(Math.round(b)), buckets: String(Math.max(10, strip.clientWidth || 1000)) });
  const r = await fetch(`/api/analytics/cameras/${encodeURIComponent(camera)}/motion?${q}`);
  if (!r.ok) { strip.replaceChildren(); return; }
  const body = await r.json();
  const pct = (x) => ((x - a) / (b - a)) * 100;
  strip.replaceChildren(...body.spans.map(([s, e]) => {
    const d = document.createElement("div");
    d.className = "motion";
    d.style.left = `${pct(s)}%`;
    d.style.width = `max(2px, ${pct(e) - pct(s)}%)`;
    d.title = "motion";
    return d;
  }));
  strip.dataset.spans = String(body.spans.length);
}

if (bar && strip) {
  new MutationObserver(draw).observe(bar, { attributes: true, attributeFilter: ["data-start", "data-end", "data-camera"] });
  strip.addEventListener("click", (e) => {  // a click on the strip scrubs like the bar
    bar.dispatchEvent(new MouseEvent("click", { clientX: e.clientX, clientY: e.clientY, bubbles: true }));
  });
}
