// Playback: up to four cameras in step, from HLS VOD playlists built on the index.
// A reason is asked once and audited by the server; the timeline shows a day (zoom with the
// wheel, click or drag to scrub); keys: space play/pause, , and . step a frame, [ ] speed,
// arrows +/- 10 s. Times are whole microseconds (the API takes integers only); every message
// shown is in plain words, never a player's internal error name.
import { ukTime } from "./uk-time.js";

const $ = (s) => document.querySelector(s);
const WINDOW_US = 15 * 60 * 1e6;
const state = { players: [], day: null, zoom: null, t: null, reason: "" };

async function api(url, opts = {}) {
  const r = await fetch(url, { headers: { "Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf }, ...opts });
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new Error(plain(body, r.status));
  return body;
}

function plain(body, status) {
  const d = body && body.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return "the request was refused: check the time and reason";
  if (status === 404) return "no such camera, or no recording there";
  if (status === 403) return "you may not view this camera's recordings";
  return `the server could not answer (${status})`;
}

const HLS_WORDS = {
  manifestLoadError: "no recording could be loaded for this camera at that time",
  manifestParsingError: "no recording at that time on this camera",
  levelEmptyError: "no recording at that time on this camera",
  fragLoadError: "part of the recording could not be loaded; try again",
  bufferAppendError: "the browser could not play this recording",
};

function show(msg) { $("#pb-status").textContent = msg; }

async function resolveTime() {
  const fold = $("#pb-fold").value;
  const q = new URLSearchParams({ text: $("#pb-time").value });
  if (fold !== "") q.set("fold", fold);
  return api(`/api/playback/time?${q}`);
}

class Player {
  constructor(camera, video) { this.camera = camera; this.video = video; }

  async load(t) {
    const start = t - WINDOW_US, end = t + WINDOW_US;
    const grant = await api(`/api/playback/cameras/${this.camera}/views`, {
      method: "POST", body: JSON.stringify({ start_us: start, end_us: end, reason: state.reason }) });
    this.range = [start, end];
    const url = `/api/playback/cameras/${this.camera}/vod.m3u8?start=${start}&end=${end}&view=${grant.token}`;
    this.hls?.destroy();
    const Hls = window.Hls;
    if (Hls && Hls.isSupported()) {
      this.hls = new Hls({ maxBufferLength: 20 });
      await new Promise((ok, fail) => {
        this.hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => { this.frags = data.details.fragments; ok(); });
        this.hls.on(Hls.Events.ERROR, (_e, d) => d.fatal && fail(new Error(
          `${this.camera}: ${HLS_WORDS[d.details] || "the recording could not be played"}`)));
        this.hls.loadSource(url);
        this.hls.attachMedia(this.video);
      });
    } else {
      this.video.src = url;  // native HLS (Safari)
      this.frags = null;
    }
  }

  position(t) {
    const f = (this.frags || []).find((x) => x.programDateTime * 1000 <= t && t < x.programDateTime * 1000 + x.duration * 1e6);
    return f ? f.start + (t - f.programDateTime * 1000) / 1e6 : null;
  }

  wallTime() {
    const ct = this.video.currentTime;
    const f = (this.frags || []).find((x) => x.start <= ct && ct < x.start + x.duration);
    return f ? f.programDateTime * 1000 + (ct - f.start) * 1e6 : null;
  }

  async seek(t) {
    if (!this.range || t < this.range[0] + 60e6 || t > this.range[1] - 60e6) await this.load(t);
    const pos = this.position(t);
    this.video.dataset.ready = "0";
    if (pos === null) { this.video.dataset.ready = "gap"; return false; }
    await new Promise((ok) => {
      this.video.addEventListener("seeked", ok, { once: true });
      this.video.currentTime = pos + 1e-3;
    });
    this.video.dataset.ready = "1";
    this.video.dataset.shown = String(t);
    return true;
  }
}

async function seekAll(t) {
  t = Math.round(t);
  state.t = t;
  const oks = await Promise.all(state.players.map((p) => p.seek(t)));
  show(oks.every(Boolean) ? "" : "no recording at that instant on some cameras");
  drawTimeline();
}

async function seekSafe(t) {
  try { await seekAll(t); } catch (e) { show(String(e.message || e)); }
}

async function drawTimeline() {
  const bar = $("#pb-timeline");
  const [a, b] = state.zoom;
  const cam = state.players[0]?.camera;
  if (!cam) return;
  const tl = await api(`/api/playback/cameras/${cam}/timeline?start=${Math.round(a)}&end=${Math.round(b)}&buckets=${Math.max(10, bar.clientWidth)}`);
  const pct = (x) => `${((x - a) / (b - a)) * 100}%`;
  Object.assign(bar.dataset, { start: String(a), end: String(b), camera: cam });  // motion-timeline.js
  bar.replaceChildren(...tl.spans.map(([s, e]) => Object.assign(document.createElement("div"), {
    className: "span", style: `left:${pct(s)};width:calc(${pct(e)} - ${pct(s)})` })),
  ...tl.holds.map((h) => Object.assign(document.createElement("div"), {
    className: "hold", title: h.reference, style: `left:${pct(h.start_us)};width:calc(${pct(h.end_us)} - ${pct(h.start_us)})` })),
  ...(state.t ? [Object.assign(document.createElement("div"), { className: "cursor", style: `left:${pct(state.t)}` })] : []));
  bar.title = tl.gaps.map((g) => g.reason).join("\n");
  drawAxis(a, b);
}

// Labels under the bar: a round step giving about eight marks, in London time.
function drawAxis(a, b) {
  const axis = $("#pb-axis");
  const steps = [60e6, 300e6, 900e6, 1800e6, 3600e6, 3 * 3600e6, 6 * 3600e6, 86400e6];
  const step = steps.find((s) => (b - a) / s <= 10) || steps.at(-1);
  const marks = [];
  for (let x = Math.ceil(a / step) * step; x <= b; x += step) {
    const span = document.createElement("span");
    span.textContent = ukTime(x, step < 60e6);
    span.dataset.left = ((x - a) / (b - a) * 100).toFixed(2);
    marks.push(span);
  }
  axis.replaceChildren(...marks);
  for (const m of marks) m.style.left = `${m.dataset.left}%`;
}

async function start(ev) {
  ev?.preventDefault();
  try {
    state.reason = $("#pb-reason").value.trim();
    const cams = [...$("#pb-cameras").selectedOptions].map((o) => o.value).slice(0, 4);
    if (!cams.length || !state.reason) { show("choose a camera and give a reason"); return; }
    const t = (await resolveTime()).us;
    const box = $("#pb-players");
    box.style.setProperty("--cols", cams.length > 1 ? 2 : 1);
    box.classList.toggle("multi", cams.length > 1);
    box.replaceChildren();
    state.players = cams.map((c) => {
      const v = Object.assign(document.createElement("video"), { muted: true, playsInline: true });
      v.dataset.camera = c;
      box.append(v);
      return new Player(c, v);
    });
    const day = t - (t % 86400e6);
    state.zoom = [day, day + 86400e6];
    await seekAll(t);
  } catch (e) { show(String(e.message || e)); }
}

function sync() {
  const lead0 = state.players[0];
  const now = lead0 && lead0.wallTime();
  if (now) $("#pb-clock").textContent = ukTime(now, true);
  const lead = state.players[0];
  if (!lead || lead.video.paused) return;
  const t = lead.wallTime();
  for (const p of state.players.slice(1)) {
    const pos = t && p.position(t);
    if (pos !== null && pos !== undefined && Math.abs(p.video.currentTime - pos) > 0.25) p.video.currentTime = pos;
  }
}
setInterval(sync, 500);

$("#pb-form").addEventListener("submit", start);
$("#pb-timeline").addEventListener("click", (e) => {
  const r = e.currentTarget.getBoundingClientRect();
  const [a, b] = state.zoom;
  seekSafe(a + ((e.clientX - r.left) / r.width) * (b - a));
});
$("#pb-timeline").addEventListener("wheel", (e) => {
  e.preventDefault();
  const [a, b] = state.zoom;
  const r = e.currentTarget.getBoundingClientRect();
  const at = a + ((e.clientX - r.left) / r.width) * (b - a);
  const f = e.deltaY > 0 ? 2 : 0.5;
  const span = Math.min(31 * 86400e6, Math.max(60e6, (b - a) * f));
  state.zoom = [at - (at - a) * span / (b - a), at + (b - at) * span / (b - a)];
  drawTimeline();
});
document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, select, textarea") || !state.players.length) return;
  const vids = state.players.map((p) => p.video);
  const step = 1 / 15;
  if (e.key === " ") vids.forEach((v) => (v.paused ? v.play() : v.pause()));
  else if (e.key === ".") vids.forEach((v) => { v.pause(); v.currentTime += step; });
  else if (e.key === ",") vids.forEach((v) => { v.pause(); v.currentTime -= step; });
  else if (e.key === "]") vids.forEach((v) => (v.playbackRate = Math.min(16, v.playbackRate * 2)));
  else if (e.key === "[") vids.forEach((v) => (v.playbackRate = Math.max(0.125, v.playbackRate / 2)));
  else if (e.key === "ArrowRight") seekSafe((state.players[0].wallTime() || state.t) + 10e6);
  else if (e.key === "ArrowLeft") seekSafe((state.players[0].wallTime() || state.t) - 10e6);
  else return;
  e.preventDefault();
});


// Buttons for what the keys do, plus a minute back and the latest recording.
const vids = () => state.players.map((p) => p.video);
const actions = {
  play: () => vids().forEach((v) => (v.paused ? v.play() : v.pause())),
  fwd: () => vids().forEach((v) => { v.pause(); v.currentTime += 1 / 15; }),
  back: () => vids().forEach((v) => { v.pause(); v.currentTime -= 1 / 15; }),
  minus1m: () => seekSafe((state.players[0].wallTime() || state.t) - 60e6),
  now: async () => {
    try { const r = await api("/api/playback/time?text=-20s"); await seekAll(r.us); } catch (e) { show(String(e.message || e)); }
  },
};
document.querySelectorAll("[data-pb]").forEach((b) => b.addEventListener("click", () => {
  if (!state.players.length) { show("choose a camera, a time and a reason, then Play"); return; }
  actions[b.dataset.pb]();
}));

// The camera picker filters as you type; chosen cameras stay chosen.
const find = $("#pb-find");
find.addEventListener("input", () => {
  const q = find.value.trim().toLowerCase();
  for (const o of $("#pb-cameras").options) o.hidden = Boolean(q) && !o.selected && !o.dataset.search.includes(q);
});

// Opened from a link (held footage, the wall, a camera row): the time is filled in.
const box = $(".playback");
if (box.dataset.at) $("#pb-reason").focus();
