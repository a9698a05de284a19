// The police wall: one tile per camera shared with the police link, added and removed as
// shares start and end (long poll of /api/police/wall). A shared camera that is not
// streaming shows its state instead of a picture, never a frozen frame. A share that lets
// the police steer gets the PTZ panel (Take control), below every council operator.
import "./live-tile.js";
import { attachPtz } from "./ptz-tile.js";

const wall = document.querySelector("#police-wall");
const empty = document.querySelector("#police-empty");
const tiles = new Map();
const PLAYABLE = new Set(["streaming", "connecting"]);

function render(shares) {
  const byCam = new Map();
  for (const s of shares) if (!byCam.has(s.camera_id)) byCam.set(s.camera_id, s);
  for (const [cam, fig] of tiles) {
    if (!byCam.has(cam)) { fig.remove(); tiles.delete(cam); }
  }
  for (const [cam, s] of byCam) {
    let fig = tiles.get(cam);
    if (!fig) {
      fig = document.createElement("figure");
      fig.className = "police-tile";
      fig.dataset.camera = cam;
      fig.append(document.createElement("figcaption"));
      wall.append(fig);
      tiles.set(cam, fig);
    }
    fig.dataset.state = s.state;
    fig.dataset.kind = s.ptz ? "ptz" : "fixed";
    const ref = s.incident_ref ? `incident ${s.incident_ref}` : `CAD ${s.cad_ref}`;
    fig.querySelector("figcaption").textContent =
      `${cam} ${s.camera_name} · ${ref}: ${s.reason} · until ${s.expires}`;
    let tile = fig.querySelector("wk-live-tile");
    let note = fig.querySelector(".police-offline");
    if (PLAYABLE.has(s.state)) {
      note?.remove();
      if (!tile) {
        tile = document.createElement("wk-live-tile");
        tile.setAttribute("camera", cam);
        tile.tabIndex = 0;
        fig.querySelector("figcaption").after(tile);
        if (s.ptz) attachPtz(tile);
      }
    } else {
      tile?.remove();
      if (!note) {
        note = document.createElement("div");
        note.className = "police-offline";
        note.setAttribute("role", "status");
        fig.querySelector("figcaption").after(note);
      }
      note.textContent = `Camera ${s.state}: no live picture`;
    }
  }
  wall.style.setProperty("--cols", Math.max(1, Math.ceil(Math.sqrt(byCam.size))));
  empty.hidden = byCam.size > 0;
}

async function feed() {
  let sig = "";
  let first = true;
  for (;;) {
    try {
      const r = await fetch(`/api/police/wall?have=${sig}&wait=${first ? 0 : 20}`);
      if (r.status === 401) { location.href = "/login"; return; }
      if (!r.ok) throw new Error(String(r.status));
      const body = await r.json();
      sig = body.sig;
      render(body.shares);
      first = false;
    } catch (e) {
      await new Promise((ok) => setTimeout(ok, 2000));
    }
  }
}

feed();

// Keys steer the focused tile while its police viewer holds control (as on the console).
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.target.matches("input, select, textarea")) return;
  if (document.activeElement?.closest("wk-live-tile")?.ptz?.key(e, true)) e.preventDefault();
});
