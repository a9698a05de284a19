// The video wall: 1/4/9/16 tiles, layout saved per user, camera tree with search and a
// health dot per camera, drag a camera onto a tile, double-click (or F) for full screen,
// alerts from the recorder.
//
// The layout is 16 camera slots whatever the number of tiles shown: 1 tile shows slot 1,
// 4 tiles slots 1-4, so going to 1 and back to 4 keeps the other three cameras.
//
// Hooks for other screens' scripts: every tile is <wk-live-tile data-slot="N" camera="ID"
// label="name">, with a ".tile-actions" bar to add buttons to; after a tile (re)shows a
// camera the wall dispatches "wk-tile-render" (bubbling, detail {tile, camera, name}), and
// after each health refresh "wk-health" on document (detail {states}).
import "./live-tile.js";
import { attachPtz } from "./ptz-tile.js";
import { ukTime } from "./uk-time.js";

const SLOTS = 16;
const HEALTH_EVERY_MS = 5000;
const wall = document.querySelector("#wall");
const consoleBox = document.querySelector(".console");
const user = document.body.dataset.user;
const key = `wk.wall.${user}`;
const treeItems = [...document.querySelectorAll(".tree [data-camera]")];
const names = new Map(treeItems.map((li) => [li.dataset.camera, li.dataset.name]));
let states = {};

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(key) || "{}");
    const cams = Array.isArray(saved.cams) ? saved.cams : [];
    return { size: [1, 4, 9, 16].includes(saved.size) ? saved.size : 4, cams };
  } catch (e) {
    return { size: 4, cams: [] };
  }
}

const layoutState = load();
layoutState.cams = Array.from({ length: SLOTS }, (_, i) => layoutState.cams[i] || "");

function save() {
  localStorage.setItem(key, JSON.stringify(layoutState));
}

function link(text, cls) {
  const a = document.createElement("a");
  a.textContent = text;
  a.className = cls;
  return a;
}

function setCamera(tile, cam) {
  layoutState.cams[Number(tile.dataset.slot)] = cam || "";
  save();
  show(tile, cam);
}

// Put the tile's camera, its name, its health and its links on screen.
function show(tile, cam) {
  cam = cam || "";
  if (cam) tile.setAttribute("label", `${cam} ${names.get(cam) || ""}`.trim());
  else tile.removeAttribute("label");
  if (tile.getAttribute("camera") !== cam) tile.setAttribute("camera", cam);
  if (cam) tile.dataset.camera = cam;
  else delete tile.dataset.camera;
  paintTile(tile);
  links(tile);
  tile.dispatchEvent(new CustomEvent("wk-tile-render", { bubbles: true, detail: { tile, camera: cam, name: names.get(cam) } }));
}

// Playback from a minute ago, and a new incident held around now, for the tile's camera.
function links(tile) {
  const cam = tile.getAttribute("camera");
  const bar = tile.querySelector(".tile-actions");
  if (!bar) return;
  bar.hidden = !cam;
  const id = encodeURIComponent(cam || "");
  const now = Date.now() * 1000;
  const pb = bar.querySelector(".to-playback");
  if (pb) pb.href = `/playback?camera=${id}&at=${now - 60e6}`;
  const inc = bar.querySelector(".to-incident");
  if (inc) inc.href = `/incidents/new?camera=${id}&at=${now}`;
}

function makeTile(slot) {
  const tile = document.createElement("wk-live-tile");
  tile.tabIndex = 0;
  tile.dataset.slot = String(slot);
  tile.addEventListener("dragover", (e) => e.preventDefault());
  tile.addEventListener("drop", (e) => {
    e.preventDefault();
    setCamera(tile, e.dataTransfer.getData("text/plain"));
  });
  tile.addEventListener("dblclick", (e) => { if (!e.target.closest("a, button")) fullscreen(tile); });
  wall.append(tile);  // connected first: the tile builds its video and overlay
  const bar = document.createElement("div");
  bar.className = "tile-actions";
  if (consoleBox.dataset.playback) bar.append(link("Playback", "to-playback"));
  if (consoleBox.dataset.incident) bar.append(link("New incident", "to-incident"));
  tile.append(bar);
  attachPtz(tile);
  // Links follow the time they are opened at, not the time the tile was filled.
  bar.addEventListener("pointerenter", () => links(tile));
  bar.addEventListener("focusin", () => links(tile));
  return tile;
}

function layout(size) {
  layoutState.size = size;
  wall.replaceChildren();
  wall.style.setProperty("--cols", Math.sqrt(size));
  for (let i = 0; i < size; i++) show(makeTile(i), layoutState.cams[i]);
  document.querySelectorAll("[data-layout]").forEach((b) =>
    b.setAttribute("aria-pressed", String(Number(b.dataset.layout) === size)));
  save();
}

function fullscreen(tile) {
  if (document.fullscreenElement) document.exitFullscreen();
  else tile.requestFullscreen?.();
}

// A camera from the tree (or a link) goes to the focused tile, else the first empty one.
function place(cam) {
  const tiles = [...wall.children];
  const target = document.activeElement?.tagName === "WK-LIVE-TILE" ? document.activeElement
    : tiles.find((t) => !t.getAttribute("camera")) || tiles[0];
  setCamera(target, cam);
  return target;
}

document.querySelectorAll("[data-layout]").forEach((b) =>
  b.addEventListener("click", () => layout(Number(b.dataset.layout))));
treeItems.forEach((li) => {
  li.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", li.dataset.camera));
  li.addEventListener("click", () => place(li.dataset.camera));
  li.addEventListener("keydown", (e) => { if (e.key === "Enter") place(li.dataset.camera); });
});

// Search hides cameras that do not match, and any area or site left with none.
const search = document.querySelector("#cam-search");
search?.addEventListener("input", () => {
  const q = search.value.trim().toLowerCase();
  for (const li of treeItems) li.hidden = Boolean(q) && !li.dataset.search.includes(q);
  for (const area of document.querySelectorAll(".tree-area")) {
    area.hidden = !area.querySelector("li:not([hidden])");
  }
  for (const site of document.querySelectorAll(".tree-site")) {
    site.hidden = !site.querySelector(".tree-area:not([hidden])");
  }
});

// Keyboard: 1/2/3/4 layouts, arrows move between tiles, F full screen, Delete clears, / search.
// A tile whose camera you steer takes arrows, +/-, PageUp/PageDown and Esc itself.
document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, select, textarea")) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (document.activeElement?.closest("wk-live-tile")?.ptz?.key(e, true)) { e.preventDefault(); return; }
  const tiles = [...wall.children];
  const i = tiles.indexOf(document.activeElement);
  const cols = Math.sqrt(tiles.length);
  const sizes = { 1: 1, 2: 4, 3: 9, 4: 16 };
  if (sizes[e.key]) layout(sizes[e.key]);
  else if (e.key === "f" && i >= 0) fullscreen(tiles[i]);
  else if (e.key === "Delete" && i >= 0) setCamera(tiles[i], "");
  else if (e.key === "/") { e.preventDefault(); search?.focus(); }
  else if (e.key.startsWith("Arrow")) {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key];
    tiles[Math.min(tiles.length - 1, Math.max(0, (i < 0 ? 0 : i) + step))].focus();
  } else return;
  e.preventDefault();
});

// Health: every camera's state from the recorder, on the tree's dots and the tiles.
function paintTile(tile) {
  const st = states[tile.getAttribute("camera")];
  if (st) { tile.setAttribute("health", st.state); tile.setAttribute("since", st.since || ""); }
  else { tile.removeAttribute("health"); tile.removeAttribute("since"); }
}

function paintTree() {
  const counts = {};
  for (const li of treeItems) {
    const st = states[li.dataset.camera];
    const state = st?.state || "not recording";
    counts[state] = (counts[state] || 0) + 1;
    if (li.dataset.video === state) continue;
    li.dataset.video = state;
    const dot = li.querySelector(".video");
    dot.className = `video video-${state.replace(/ /g, "-")}`;
    dot.setAttribute("aria-label", `video: ${state}`);
    li.title = `${li.title.split(" · ").slice(0, 2).join(" · ")} · ${state}${st?.since ? ` since ${st.since}` : ""}`;
  }
  document.querySelector("#tree-health").textContent =
    Object.entries(counts).sort().map(([s, n]) => `${n} ${s}`).join(" · ");
}

async function health() {
  for (;;) {
    try {
      const r = await fetch("/api/live/states");
      if (r.ok) {
        states = await r.json();
        paintTree();
        for (const tile of wall.children) paintTile(tile);
        document.dispatchEvent(new CustomEvent("wk-health", { detail: { states } }));
      }
    } catch (e) { /* the next round tries again */ }
    await new Promise((ok) => setTimeout(ok, HEALTH_EVERY_MS));
  }
}

// Alerts: a camera's state changes, long-polled from the recorder's stream events. One
// line per change of the camera (its main and sub streams report the same event), in words.
const WORDS = {
  offline: "offline: no connection to the camera",
  stalled: "no pictures arriving",
  streaming: "back online",
};
async function alerts() {
  const list = document.querySelector("#alerts");
  const shown = new Map();  // camera → last state listed
  let last = 0;
  let first = true;
  for (;;) {
    try {
      const r = await fetch(`/api/live/events?after=${last}&wait=${first ? 0 : 20}`);
      if (!r.ok) throw new Error(r.status);
      const body = await r.json();
      last = body.last;
      for (const ev of body.events) {
        const before = shown.get(ev.camera_id);
        shown.set(ev.camera_id, ev.state);
        if (first || before === ev.state || (!before && ev.state === "streaming")) continue;
        const li = document.createElement("li");
        li.className = `alert alert-${ev.state}`;
        li.dataset.camera = ev.camera_id;
        const name = names.get(ev.camera_id);
        li.textContent = `${ukTime(ev.at_us, true)} ${ev.camera_id}${name ? ` ${name}` : ""}: ${WORDS[ev.state] || ev.state}`;
        li.title = ev.reason || "";
        list.prepend(li);
      }
      first = false;
    } catch (e) {
      await new Promise((ok) => setTimeout(ok, 5000));
    }
  }
}

layout(layoutState.size);
// /wall?camera=ID (from the map or a camera row) puts that camera on the wall.
const wanted = new URLSearchParams(location.search).get("camera");
if (wanted && names.has(wanted)) {
  if (!layoutState.cams.slice(0, layoutState.size).includes(wanted)) place(wanted);
  history.replaceState(null, "", "/wall");
}
health();
alerts();
