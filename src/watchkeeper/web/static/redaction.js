// The redaction studio: tracks drawn over the clip, choose a track by clicking it, draw
// manual boxes (a keyframe at the current frame per drag), scrub frame by frame.
// Decisions are ordinary form fields; the server plans and renders (redaction.plan).

const studio = document.getElementById("studio");
const video = document.getElementById("studio-video");
const canvas = document.getElementById("studio-canvas");
const ctx = canvas.getContext("2d");
const scrub = document.getElementById("scrub");
const label = document.getElementById("frame-label");
const manualInput = document.getElementById("manual");
const frameInput = document.getElementById("frame");
const chosenLabel = document.getElementById("chosen");
const drawMode = document.getElementById("draw-mode");
const list = document.getElementById("manual-list");

let data = null;
let frame = Number(frameInput.value) || 0;
let chosen = null;
let manual = JSON.parse(manualInput.value || "[]");
let current = manual.length ? manual.length - 1 : -1;
let drag = null;

function decisionOf(id) {
  const sel = document.querySelector(`select[name="track-${id}"]`);
  return sel && sel.value ? sel.value : "redact";
}

function interpolate(frames, boxes, at) {
  let i = 0;
  while (i < frames.length && frames[i] <= at) i++;
  if (i === 0) return boxes[0];
  if (i === frames.length) return boxes[boxes.length - 1];
  const t = (at - frames[i - 1]) / (frames[i] - frames[i - 1]);
  return boxes[i - 1].map((v, k) => v + (boxes[i][k] - v) * t);
}

function trackBox(t, at) {
  const f = t.frames;
  if (at < f[0] - data.step || at > f[f.length - 1] + data.step) return null;
  return interpolate(f, t.boxes, at);
}

function manualBox(m, at) {
  const f = m.keyframes.map((k) => k[0]);
  if (f.length > 1 && (at < f[0] || at > f[f.length - 1])) return null;
  return interpolate(f, m.keyframes.map((k) => k[1]), at);
}

const COLOURS = { redact: "#ff5c5c", subject: "#4cd07d", clear: "#9aa4b2" };

function draw() {
  if (!data) return;
  canvas.width = data.width;
  canvas.height = data.height;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = Math.max(2, data.width / 400);
  ctx.font = `${Math.max(12, data.width / 60)}px sans-serif`;
  for (const t of data.tracks) {
    const b = trackBox(t, frame);
    if (!b) continue;
    const colour = COLOURS[decisionOf(t.id)];
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.setLineDash(t.id === chosen ? [] : [6, 4]);
    ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    ctx.fillText(`#${t.id}`, b[0], Math.max(12, b[1] - 4));
  }
  ctx.setLineDash([]);
  manual.forEach((m, n) => {
    const b = manualBox(m, frame);
    if (!b) return;
    ctx.strokeStyle = n === current ? "#ffd479" : "#ff5c5c";
    ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(m.label, b[0], Math.max(12, b[1] - 4));
  });
  if (drag && drag.end) {
    ctx.strokeStyle = "#ffd479";
    ctx.strokeRect(drag.x, drag.y, drag.end[0] - drag.x, drag.end[1] - drag.y);
  }
  label.textContent = `frame ${frame} of ${data.frames}`;
  scrub.value = String(frame);
  frameInput.value = String(frame);
}

function frameAt(seconds) {
  const times = data.times;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= seconds + 1e-4) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function seek(n) {
  frame = Math.max(0, Math.min(data.frames - 1, n));
  video.currentTime = data.times[frame] + 0.001;
  draw();
}

function toSource(ev) {
  const r = canvas.getBoundingClientRect();
  return [(ev.clientX - r.left) * (data.width / r.width), (ev.clientY - r.top) * (data.height / r.height)];
}

function choose(id) {
  chosen = id;
  chosenLabel.textContent = id === null ? "none" : `#${id}`;
  document.querySelectorAll("#tracks tr[data-track]").forEach((tr) => {
    tr.classList.toggle("chosen", Number(tr.dataset.track) === id);
  });
  draw();
}

function setDecision(value) {
  if (chosen === null) return;
  document.querySelector(`select[name="track-${chosen}"]`).value = value;
  draw();
}

function saveManual() {
  manualInput.value = JSON.stringify(manual);
  list.replaceChildren(
    ...manual.map((m, n) => {
      const li = document.createElement("li");
      li.textContent = `${m.label}: ${m.keyframes.length} keyframe(s), frames ${m.keyframes.map((k) => k[0]).join(", ")}`;
      if (n === current) li.classList.add("chosen");
      const rm = document.createElement("button");
      rm.type = "button";
      rm.textContent = "Remove";
      rm.addEventListener("click", () => {
        manual.splice(n, 1);
        current = manual.length - 1;
        saveManual();
        draw();
      });
      li.append(" ", rm);
      return li;
    }),
  );
}

canvas.addEventListener("mousedown", (ev) => {
  if (!data || !drawMode.checked) return;
  const [x, y] = toSource(ev);
  drag = { x, y, end: null };
});
canvas.addEventListener("mousemove", (ev) => {
  if (!drag) return;
  drag.end = toSource(ev);
  draw();
});
canvas.addEventListener("mouseup", (ev) => {
  if (!data) return;
  const [x, y] = toSource(ev);
  if (drag) {
    const box = [Math.min(drag.x, x), Math.min(drag.y, y), Math.max(drag.x, x), Math.max(drag.y, y)];
    drag = null;
    if (box[2] - box[0] < 3 || box[3] - box[1] < 3) return draw();
    if (current < 0) {
      manual.push({ label: `box ${manual.length + 1}`, keyframes: [] });
      current = manual.length - 1;
    }
    const kfs = manual[current].keyframes.filter((k) => k[0] !== frame);
    kfs.push([frame, box.map((v) => Math.round(v))]);
    kfs.sort((a, b) => a[0] - b[0]);
    manual[current].keyframes = kfs;
    saveManual();
    return draw();
  }
  const hit = data.tracks.filter((t) => {
    const b = trackBox(t, frame);
    return b && x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
  });
  choose(hit.length ? hit[0].id : null);
});

document.getElementById("new-box").addEventListener("click", () => {
  const name = `box ${manual.length + 1}`;
  manual.push({ label: name, keyframes: [] });
  current = manual.length - 1;
  drawMode.checked = true;
  saveManual();
});
document.getElementById("make-subject").addEventListener("click", () => setDecision("subject"));
document.getElementById("make-redact").addEventListener("click", () => setDecision("redact"));
document.getElementById("make-clear").addEventListener("click", () => setDecision("clear"));
document.querySelectorAll('#tracks select[name^="track-"]').forEach((sel) => sel.addEventListener("change", draw));
document.getElementById("play").addEventListener("click", () => (video.paused ? video.play() : video.pause()));
scrub.addEventListener("input", () => seek(Number(scrub.value)));
video.addEventListener("timeupdate", () => {
  if (!data || video.paused) return;
  frame = frameAt(video.currentTime);
  draw();
});
document.addEventListener("keydown", (ev) => {
  if (!data || ev.target.closest("input, select, textarea")) return;
  if (ev.key === ",") seek(frame - 1);
  if (ev.key === ".") seek(frame + 1);
});

fetch(`/redaction/${studio.dataset.id}/data.json`, { credentials: "same-origin" })
  .then((r) => r.json())
  .then((d) => {
    data = d;
    scrub.max = String(Math.max(0, d.frames - 1));
    canvas.width = d.width;
    canvas.height = d.height;
    studio.dataset.ready = "1";
    saveManual();
    seek(frame);
  });
