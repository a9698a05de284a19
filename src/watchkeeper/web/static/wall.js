// The video wall: 1/4/9/16 tiles, layout saved per user, camera tree with search, drag a
// camera onto a tile, double-click (or F) for full screen, alerts from the recorder.
import "./live-tile.js";
import { attachPtz } from "./ptz-tile.js";

const wall = document.querySelector("#wall");
const user = document.body.dataset.user;
const key = `wk.wall.${user}`;
const saved = JSON.parse(localStorage.getItem(key) || '{"size":4,"cams":[]}');

function save() {
  const cams = [...wall.querySelectorAll("wk-live-tile")].map((t) => t.getAttribute("camera") || "");
  localStorage.setItem(key, JSON.stringify({ size: wall.children.length, cams }));
}

function layout(size, cams = []) {
  const old = [...wall.querySelectorAll("wk-live-tile")].map((t) => t.getAttribute("camera"));
  wall.replaceChildren();
  wall.style.setProperty("--cols", Math.sqrt(size));
  for (let i = 0; i < size; i++) {
    const tile = document.createElement("wk-live-tile");
    tile.tabIndex = 0;
    const cam = cams[i] ?? old[i];
    if (cam) tile.setAttribute("camera", cam);
    tile.addEventListener("dragover", (e) => e.preventDefault());
    tile.addEventListener("drop", (e) => {
      e.preventDefault();
      tile.setAttribute("camera", e.dataTransfer.getData("text/plain"));
      save();
    });
    tile.addEventListener("dblclick", () => fullscreen(tile));
    wall.append(tile);
    attachPtz(tile);
  }
  document.querySelectorAll("[data-layout]").forEach((b) =>
    b.setAttribute("aria-pressed", String(Number(b.dataset.layout) === size)));
  save();
}

function fullscreen(tile) {
  if (document.fullscreenElement) document.exitFullscreen();
  else tile.requestFullscreen?.();
}

document.querySelectorAll("[data-layout]").forEach((b) =>
  b.addEventListener("click", () => layout(Number(b.dataset.layout))));
document.querySelectorAll("[data-camera]").forEach((li) => {
  li.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", li.dataset.camera));
  li.addEventListener("click", () => {
    const target = document.activeElement?.tagName === "WK-LIVE-TILE" ? document.activeElement
      : [...wall.children].find((t) => !t.getAttribute("camera")) || wall.children[0];
    target.setAttribute("camera", li.dataset.camera);
    save();
  });
});
const search = document.querySelector("#cam-search");
search?.addEventListener("input", () => {
  const q = search.value.trim().toLowerCase();
  document.querySelectorAll("[data-camera]").forEach((li) => {
    li.hidden = q && !li.dataset.search.includes(q);
  });
});

// Keyboard: 1/2/3/4 layouts, arrows move between tiles, F full screen, Delete clears, / search.
// A tile whose camera you steer takes arrows, +/-, PageUp/PageDown and Esc itself.
document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, select, textarea")) return;
  if (document.activeElement?.closest("wk-live-tile")?.ptz?.key(e, true)) { e.preventDefault(); return; }
  const tiles = [...wall.children];
  const i = tiles.indexOf(document.activeElement);
  const cols = Math.sqrt(tiles.length);
  const sizes = { 1: 1, 2: 4, 3: 9, 4: 16 };
  if (sizes[e.key]) layout(sizes[e.key]);
  else if (e.key === "f" && i >= 0) fullscreen(tiles[i]);
  else if (e.key === "Delete" && i >= 0) { tiles[i].removeAttribute("camera"); tiles[i].setAttribute("camera", ""); save(); }
  else if (e.key === "/") { e.preventDefault(); search?.focus(); }
  else if (e.key.startsWith("Arrow")) {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key];
    tiles[Math.min(tiles.length - 1, Math.max(0, (i < 0 ? 0 : i) + step))].focus();
  } else return;
  e.preventDefault();
});

// Alerts: camera offline / back online, long-polled from the recorder's stream events.
async function alerts() {
  const list = document.querySelector("#alerts");
  let last = 0;
  let first = true;
  for (;;) {
    try {
      const r = await fetch(`/api/live/events?after=${last}&wait=${first ? 0 : 20}`);
      if (!r.ok) throw new Error(r.status);
      const body = await r.json();
      last = body.last;
      if (!first) {
        for (const ev of body.events) {
          const li = document.createElement("li");
          li.className = `alert alert-${ev.state}`;
          li.textContent = `${ev.at} ${ev.camera_id}: ${ev.state === "streaming" ? "back online" : ev.state} ${ev.reason || ""}`;
          list.prepend(li);
        }
      }
      first = false;
    } catch (e) {
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

layout(saved.size || 4, saved.cams || []);
alerts();
