// The camera map: the register's sites, areas and cameras drawn from their coordinates,
// each camera coloured by its video state (refreshed every 10 s). Map tiles come from the
// configured tile server when it answers; otherwise (or with none set) the plain vector
// drawing stands alone. Clicking a camera selects it: put it on the wall, play it back, or
// open an incident from it.
const box = document.querySelector("#map");
const mode = document.querySelector("#map-mode");
const L = window.L;
const markers = new Map();
let selected = null;

const slug = (s) => s.replace(/\s+/g, "-");

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function bounds(points) {
  return L.latLngBounds(points).pad(0.15);
}

function drawTiles(map, url) {
  if (!url) { mode.textContent = "Plain map of the register (no tile server set)."; return; }
  let loaded = 0;
  const layer = L.tileLayer(url, { maxZoom: 19 });
  layer.on("tileload", () => { loaded += 1; mode.textContent = "Map tiles from the configured server."; });
  layer.on("tileerror", () => {
    if (loaded) return;
    map.removeLayer(layer);
    mode.textContent = "Map tiles unreachable: plain map of the register.";
  });
  mode.textContent = "Loading map tiles…";
  layer.addTo(map);
}

function select(cam) {
  selected = cam;
  document.querySelectorAll(".cam-marker.selected").forEach((m) => m.classList.remove("selected"));
  markers.get(cam.id)?.getElement()?.classList.add("selected");
  const panel = document.querySelector("#map-camera");
  panel.hidden = false;
  panel.dataset.camera = cam.id;
  document.querySelector("#map-camera-name").textContent = `${cam.id} ${cam.name}`;
  document.querySelector("#map-camera-where").textContent = `${cam.site} · ${cam.area} · ${cam.location}`;
  showState(cam);
  const id = encodeURIComponent(cam.id);
  const wall = document.querySelector("#map-to-wall");
  if (wall) wall.href = `/wall?camera=${id}`;
  const pb = document.querySelector("#map-to-playback");
  if (pb) pb.href = `/playback?camera=${id}`;
  const inc = document.querySelector("#map-to-incident");
  if (inc) inc.href = `/incidents/new?camera=${id}`;
}

function showState(cam) {
  if (selected?.id !== cam.id) return;
  const st = cam.state || { state: "not recording" };
  document.querySelector("#map-camera-state").textContent =
    `Video: ${st.state}${st.since && st.state !== "streaming" ? ` since ${st.since}` : ""} · register: ${cam.status}`;
}

function paint(cam) {
  const el = markers.get(cam.id)?.getElement();
  if (!el) return;
  for (const c of [...el.classList]) if (c.startsWith("state-")) el.classList.remove(c);
  el.classList.add(`state-${slug(cam.state?.state || "not recording")}`);
  el.dataset.state = cam.state?.state || "not recording";
  showState(cam);
}

async function refresh(cams) {
  try {
    const states = await json("/api/live/states");
    for (const cam of cams) { cam.state = states[cam.id]; paint(cam); }
  } catch (e) { /* keep the last colours; the next round tries again */ }
}

async function main() {
  const cams = await json("/api/cameras");
  const placed = cams.filter((c) => c.latitude !== null && c.longitude !== null);
  const map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
  // The view first: Leaflet draws a layer's elements only on a map that has one.
  if (placed.length) map.fitBounds(L.latLngBounds(placed.map((c) => [c.latitude, c.longitude])).pad(0.05));
  else map.setView([54, -2], 6);
  const sites = new Map();
  for (const c of placed) {
    const site = sites.get(c.site) || sites.set(c.site, new Map()).get(c.site);
    (site.get(c.area) || site.set(c.area, []).get(c.area)).push(c);
  }
  // Sites: a dashed outline; areas: a filled box with its name; cameras: a dot each.
  for (const [siteName, areas] of sites) {
    const all = [...areas.values()].flat().map((c) => [c.latitude, c.longitude]);
    L.rectangle(bounds(all), { className: "map-site", interactive: false }).addTo(map)
      .bindTooltip(siteName, { permanent: true, direction: "top", className: "map-site-label" });
    for (const [areaName, list] of areas) {
      L.rectangle(bounds(list.map((c) => [c.latitude, c.longitude])), { className: "map-area", interactive: false })
        .addTo(map).bindTooltip(areaName, { direction: "center", className: "map-area-label" });
    }
  }
  for (const c of placed) {
    const m = L.circleMarker([c.latitude, c.longitude], {
      radius: 7, className: `cam-marker state-not-recording cam-${c.id}`,
    }).addTo(map);
    m.bindTooltip(`${c.id} ${c.name}`);
    m.on("click", () => select(c));
    m.getElement().dataset.camera = c.id;
    m.getElement().setAttribute("aria-label", `${c.id} ${c.name}`);
    markers.set(c.id, m);
  }
  drawTiles(map, box.dataset.tiles);
  const missing = cams.length - placed.length;
  document.querySelector("#map-unplaced").textContent =
    missing ? `${missing} camera(s) have no coordinates in the register and are not drawn.` : "";
  box.dataset.ready = String(placed.length);

  const search = document.querySelector("#map-search");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    const hits = placed.filter((c) => `${c.id} ${c.name} ${c.area} ${c.site} ${c.location}`.toLowerCase().includes(q));
    for (const c of placed) markers.get(c.id).getElement().classList.toggle("dimmed", Boolean(q) && !hits.includes(c));
    if (q && hits.length) map.fitBounds(L.latLngBounds(hits.map((c) => [c.latitude, c.longitude])).pad(0.2), { maxZoom: 17 });
    if (hits.length === 1) select(hits[0]);
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && selected) document.querySelector("#map-to-wall")?.click();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !e.target.matches("input, select, textarea")) { e.preventDefault(); search.focus(); }
  });
  await refresh(cams);
  setInterval(() => refresh(cams), 10_000);
}

// Leaflet's script is deferred like this module: both have run by DOMContentLoaded.
main().catch((e) => { mode.textContent = `The map could not load: ${e.message}`; });
