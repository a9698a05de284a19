// Share to police: a dialog (wall toolbar button, Alt+P, or the incident page's button)
// that shares a camera live with the police link, and on the wall a "Police link" panel
// listing shares in force, who from the police is watching, and an End button for each.
// Kept apart from wall.js: the wall only includes this file.
const csrf = document.body.dataset.csrf;

async function api(path, body) {
  const r = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const d = data.detail;
    throw new Error(typeof d === "string" ? d : Array.isArray(d) ? d.map((x) => `${x.loc?.at(-1)}: ${x.msg}`).join("; ") : `refused (${r.status})`);
  }
  return data;
}

function field(label, input) {
  const l = document.createElement("label");
  l.append(label, input);
  return l;
}

function input(name, attrs = {}) {
  const i = document.createElement("input");
  i.name = name;
  Object.entries(attrs).forEach(([k, v]) => i.setAttribute(k, v));
  return i;
}

function makeDialog() {
  const dialog = document.createElement("dialog");
  dialog.id = "police-share-dialog";
  const form = document.createElement("form");
  form.method = "dialog";
  const h = document.createElement("h2");
  h.textContent = "Share a camera with the police";
  const list = document.createElement("datalist");
  list.id = "police-share-cameras";
  const error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = "Share";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = "Cancel";
  cancel.addEventListener("click", () => dialog.close());
  form.append(
    h,
    field("Camera", input("camera_id", { list: list.id, required: "" })), list,
    field("Incident", input("incident_ref", { placeholder: "2026-000123" })),
    field("or CAD reference", input("cad_ref")),
    field("Reason", input("reason", { required: "" })),
    field("For (minutes)", input("minutes", { type: "number", min: "1", max: "720", value: "60" })),
    field("Allow police to steer", input("ptz", { type: "checkbox", value: "yes" })),
    error, send, cancel,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      await api("/api/police/shares", {
        camera_id: f.get("camera_id"), incident_ref: f.get("incident_ref"),
        cad_ref: f.get("cad_ref"), reason: f.get("reason"), minutes: Number(f.get("minutes") || 60),
        ptz: f.get("ptz") === "yes",
      });
      dialog.close();
      refresh();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  dialog.append(form);
  document.body.append(dialog);
  return dialog;
}

let dialog;
function openShare({ camera = "", incident = "", cad = "", cameras = [] } = {}) {
  dialog ??= makeDialog();
  const form = dialog.querySelector("form");
  form.reset();
  dialog.querySelector(".error").textContent = "";
  const list = dialog.querySelector("datalist");
  const known = cameras.length ? cameras
    : [...document.querySelectorAll("li[data-camera]")].map((li) => li.dataset.camera);
  list.replaceChildren(...known.map((c) => Object.assign(document.createElement("option"), { value: c })));
  form.camera_id.value = camera;
  form.incident_ref.value = incident;
  form.cad_ref.value = incident ? "" : cad;
  dialog.showModal();
  (camera ? form.reason : form.camera_id).focus();
}

let lastTile = null;
document.addEventListener("focusin", (e) => {
  const t = e.target.closest?.("wk-live-tile");
  if (t) lastTile = t;
});

function tileCamera() {
  const t = document.activeElement?.closest?.("wk-live-tile") || lastTile;
  return t?.getAttribute("camera") || "";
}

// --- the wall: toolbar button and the police link panel ---
const toolbar = document.querySelector(".console .toolbar");
let panel = null;
if (toolbar) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = "police-share-open";
  b.accessKey = "p";
  b.title = "Share the selected tile's camera with the police (Alt+P)";
  b.textContent = "Share to police";
  b.addEventListener("click", () => openShare({ camera: tileCamera() }));
  toolbar.prepend(b);
  const aside = document.querySelector(".console > aside:last-of-type");
  panel = document.createElement("section");
  panel.id = "police-link";
  panel.className = "police-link";
  aside?.append(panel);
}

function row(share) {
  const li = document.createElement("li");
  li.dataset.share = share.id;
  const ref = share.incident_ref ? share.incident_ref : `CAD ${share.cad_ref}`;
  const watching = share.viewers.length ? share.viewers.join(", ") : "nobody yet";
  const steer = share.ptz ? " · police may steer" : "";
  li.textContent = `${share.camera_id} · ${ref}${steer} · until ${share.expires} · seen by ${watching} `;
  const end = document.createElement("button");
  end.type = "button";
  end.textContent = "End";
  end.dataset.policeEnd = share.id;
  li.append(end);
  return li;
}

async function refresh() {
  if (!panel) { if (document.querySelector("#police-shares")) location.reload(); return; }
  try {
    const body = await api("/api/police/shares");
    const h = document.createElement("h2");
    h.textContent = "Police link";
    const health = document.createElement("p");
    health.className = "police-health";
    const on = body.link.filter((v) => v.connected);
    health.dataset.connected = String(on.length);
    health.textContent = on.length
      ? `Connected: ${on.map((v) => `${v.username}${v.collar_number ? ` (${v.collar_number})` : ""}`).join(", ")}`
      : "No police viewer connected";
    const ul = document.createElement("ul");
    ul.className = "police-shares-list";
    ul.replaceChildren(...body.shares.map(row));
    panel.replaceChildren(h, health, ul);
  } catch (e) {
    panel.textContent = `Police link: ${e.message}`;
  }
}

document.addEventListener("click", async (e) => {
  const end = e.target.closest?.("[data-police-end]");
  if (end) {
    try {
      await api(`/api/police/shares/${end.dataset.policeEnd}/end`, { reason: "ended by the operator" });
    } catch (err) {
      alert(err.message);
    }
    refresh();
    return;
  }
  const start = e.target.closest?.("[data-police-share]");
  if (start) {
    openShare({
      incident: start.dataset.incident, cad: start.dataset.cad,
      cameras: (start.dataset.cameras || "").split(" ").filter(Boolean),
      camera: (start.dataset.cameras || "").split(" ")[0] || "",
    });
  }
});

if (panel) {
  refresh();
  setInterval(refresh, 3000);
}
