// PTZ on a live tile: who holds the camera, take/release, press-and-hold arrows and zoom,
// keyboard, scroll to zoom, presets, and a gamepad (USB joystick or CCTV keyboard) with
// analogue speed. Commands go over the camera's PTZ socket (/ws/ptz/CAMERA); while a
// control is held the current move is re-sent every 100 ms, which is also the heartbeat:
// the server stops the camera when it hears nothing for 500 ms (see docs/design/ptz.md).
const RESEND_MS = 100;
const DEAD_ZONE = 0.15;
const KEY_SPEED = 0.6;
const KEYS = {
  ArrowLeft: [-1, 0, 0], ArrowRight: [1, 0, 0], ArrowUp: [0, 1, 0], ArrowDown: [0, -1, 0],
  "+": [0, 0, 1], "=": [0, 0, 1], "-": [0, 0, -1], PageUp: [0, 0, 1], PageDown: [0, 0, -1],
};

function button(label, title, extra = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  Object.assign(b.dataset, extra);
  return b;
}

export class PtzPanel {
  constructor(tile) {
    this.tile = tile;
    this.held = new Map(); // source (key, button, wheel, pad) -> [pan, tilt, zoom]
    this.sent = [0, 0, 0];
    this.state = {};
    this.el = document.createElement("div");
    this.el.className = "ptz";
    this.el.hidden = true;
    this.holder = document.createElement("span");
    this.holder.className = "ptz-holder";
    this.notice = document.createElement("span");
    this.notice.className = "ptz-notice";
    this.notice.setAttribute("role", "status");
    this.take = button("Take control", "Take control of this camera", { ptz: "take" });
    this.release = button("Release", "Release control (Esc)", { ptz: "release" });
    this.pad = document.createElement("div");
    this.pad.className = "ptz-pad";
    const dirs = [["◀", "Pan left", -1, 0, 0], ["▲", "Tilt up", 0, 1, 0], ["▼", "Tilt down", 0, -1, 0],
      ["▶", "Pan right", 1, 0, 0], ["＋", "Zoom in", 0, 0, 1], ["－", "Zoom out", 0, 0, -1]];
    for (const [label, title, p, t, z] of dirs) {
      const b = button(label, title, { move: `${p},${t},${z}` });
      const on = (e) => { e.preventDefault(); this.hold(b, [p * KEY_SPEED, t * KEY_SPEED, z]); };
      const off = () => this.letGo(b);
      b.addEventListener("pointerdown", on);
      for (const ev of ["pointerup", "pointerleave", "pointercancel"]) b.addEventListener(ev, off);
      this.pad.append(b);
    }
    this.presets = document.createElement("select");
    this.presets.setAttribute("aria-label", "Presets");
    this.presets.addEventListener("change", () => {
      if (this.presets.value) this.send({ type: "preset_goto", name: this.presets.value });
      this.presets.value = "";
    });
    this.save = button("Save preset", "Save this view as a preset", { ptz: "save" });
    this.save.addEventListener("click", () => {
      const name = prompt("Preset name");
      if (name) this.send({ type: "preset_save", name });
    });
    this.lock = button("Lock", "Lock the camera to whoever holds it (or to you)", { ptz: "lock" });
    this.lock.addEventListener("click", () =>
      this.send({ type: "lock", user: this.state.holder || this.user }));
    this.unlock = button("Unlock", "Release the lock on this camera", { ptz: "unlock" });
    this.unlock.addEventListener("click", () => this.send({ type: "unlock" }));
    this.settings = document.createElement("a");
    this.settings.textContent = "PTZ settings";
    this.zone = button("Draw privacy zone", "Draw a privacy zone on the picture", { ptz: "zone" });
    this.zone.addEventListener("click", () => this.drawZone());
    this.take.addEventListener("click", () => this.send({ type: "take" }));
    this.release.addEventListener("click", () => this.send({ type: "release" }));
    this.controls = document.createElement("div");
    this.controls.className = "ptz-controls";
    this.controls.append(this.pad, this.presets, this.save, this.zone, this.release);
    this.supervise = document.createElement("span");
    this.supervise.className = "ptz-supervise";
    this.supervise.hidden = true;
    this.supervise.append(this.lock, this.unlock, this.settings);
    this.el.append(this.holder, this.take, this.controls, this.supervise, this.notice);
    tile.append(this.el);
    tile.ptz = this;
    tile.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    // While you hold the camera: click on the picture and that point becomes the centre;
    // drag a box and the camera zooms to it.
    tile.addEventListener("pointerdown", (e) => {
      if (!this.state.you || this.drawing || e.target.tagName !== "VIDEO") return;
      this.aimFrom = [e.clientX, e.clientY, this.pictureAt(e)];
    });
    tile.addEventListener("pointerup", (e) => {
      const from = this.aimFrom;
      this.aimFrom = null;
      if (!from || !this.state.you || this.drawing) return;
      const [x0, y0] = from[2], [x1, y1] = this.pictureAt(e);
      if (Math.hypot(e.clientX - from[0], e.clientY - from[1]) < 8) this.send({ type: "centre", x: x1, y: y1 });
      else this.send({ type: "centre", x0: Math.min(x0, x1), y0: Math.min(y0, y1), x1: Math.max(x0, x1), y1: Math.max(y0, y1) });
    });
    new MutationObserver(() => this.open()).observe(tile, { attributes: true, attributeFilter: ["camera"] });
    this.timer = setInterval(() => this.tick(), RESEND_MS);
    this.open();
  }

  static kindOf(camera) {
    return document.querySelector(`[data-camera="${CSS.escape(camera)}"]`)?.dataset.kind;
  }

  open() {
    const camera = this.tile.getAttribute("camera") || "";
    if (camera === this.camera) return;
    this.close();
    this.camera = camera;
    this.el.hidden = !camera || PtzPanel.kindOf(camera) !== "ptz";
    if (this.el.hidden) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/ws/ptz/${encodeURIComponent(camera)}`);
    ws.onmessage = (ev) => this.onMessage(JSON.parse(ev.data));
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.show({ holder: null }, "PTZ connection lost; reconnecting");
      this.ws = null;
      setTimeout(() => { if (this.camera === camera && !this.ws) { this.camera = null; this.open(); } }, 2000);
    };
    this.ws = ws;
  }

  close() {
    this.held.clear();
    if (this.ws) { const ws = this.ws; this.ws = null; ws.close(); }
    this.state = {};
  }

  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  onMessage(msg) {
    if (msg.type === "hello") {
      this.user = msg.user;
      this.el.dataset.canSteer = String(msg.can_steer);
      this.supervise.hidden = !msg.can_supervise;
      this.settings.href = `/ptz/cameras/${encodeURIComponent(this.camera)}`;
    }
    else if (msg.type === "state") this.show(msg);
    else if (msg.type === "lost") {
      this.held.clear();
      const why = msg.reason === "taken over" ? `taken over by ${msg.by}` : msg.reason;
      this.say(`You lost control: ${why}${msg.detail ? ` (${msg.detail})` : ""}`, true);
    } else if (msg.type === "error") this.say(msg.message, true);
    else if (msg.type === "zone_added") this.say(`Privacy zone “${msg.name}” saved`);
    else if (msg.type === "zones") { this.zoneInfo = msg; this.paintMasks(); }
    else if (msg.type === "view") { this.view = msg; this.paintMasks(); }
    else if (msg.type === "alert") this.say(`Alert: ${msg.message}`, true);
    else if (msg.type === "presets") {
      this.presets.replaceChildren(new Option("Go to preset…", ""),
        ...msg.names.map((n) => new Option(n, n)));
    }
  }

  show(state, note) {
    this.state = state;
    const you = Boolean(state.you);
    this.el.dataset.you = String(you);
    this.tile.dataset.ptzHolder = state.holder || "";
    let text = state.holder ? (you ? "You control" : `${state.holder} (${state.holder_role}) controls`) : "Free";
    if (state.locked_to) text += ` · locked to ${state.locked_to}`;
    if (state.tour) text += ` · tour ${state.tour}`;
    this.holder.textContent = text;
    this.take.hidden = you || this.el.dataset.canSteer === "false";
    this.lock.hidden = Boolean(state.locked_to);
    this.unlock.hidden = !state.locked_to;
    this.controls.hidden = !you;
    if (!you) this.held.clear();
    if (note) this.say(note, true);
  }

  say(text, sticky = false) {
    this.notice.textContent = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.notice.textContent = ""; }, sticky ? 8000 : 3000);
  }

  // The vector is the sum of everything held (buttons, keys, wheel pulses, the gamepad).
  vector() {
    const v = [0, 0, 0];
    for (const h of this.held.values()) for (let i = 0; i < 3; i++) v[i] += h[i];
    return v.map((x) => Math.max(-1, Math.min(1, Math.round(x * 100) / 100)));
  }

  hold(source, v) {
    if (!this.state.you) return;
    this.held.set(source, v);
    this.push(false);
  }

  letGo(source) {
    if (this.held.delete(source)) this.push(false);
  }

  // Sends the summed vector: a move when it changed (or, as the heartbeat, every tick
  // while moving), a stop once when everything is let go.
  push(heartbeat) {
    const v = this.vector();
    const moving = v.some((x) => x !== 0);
    const same = v.every((x, i) => x === this.sent[i]);
    if (moving && (!same || heartbeat)) this.send({ type: "move", pan: v[0], tilt: v[1], zoom: v[2] });
    else if (!moving && !same) this.send({ type: "stop" });
    this.sent = v;
  }

  tick() {
    if (!this.state.you) return;
    this.readPad();
    this.push(true);
  }

  readPad() {
    const pads = navigator.getGamepads ? [...navigator.getGamepads()].filter(Boolean) : [];
    if (!pads.length || !this.tile.contains(document.activeElement)) { this.held.delete("pad"); return; }
    const a = pads[0].axes || [];
    const b = pads[0].buttons || [];
    const dz = (x) => (Math.abs(x || 0) < DEAD_ZONE ? 0 : x);
    const zoom = dz(a[3] === undefined ? 0 : -a[3]) || ((b[5]?.pressed ? 1 : 0) - (b[4]?.pressed ? 1 : 0));
    const v = [dz(a[0]), -dz(a[1]), zoom];
    if (v.some((x) => x !== 0)) this.held.set("pad", v);
    else this.held.delete("pad");
  }

  key(e, down) {
    if (!this.state.you || this.el.hidden) return false;
    if (down && e.key === "Escape") { this.send({ type: "release" }); return true; }
    const v = KEYS[e.key];
    if (!v) return false;
    if (down) { if (!e.repeat) this.hold(`key:${e.key}`, v.map((x, i) => (i < 2 ? x * KEY_SPEED : x))); }
    else this.letGo(`key:${e.key}`);
    return true;
  }

  wheel(e) {
    if (!this.state.you || this.el.hidden) return;
    e.preventDefault();
    this.hold("wheel", [0, 0, e.deltaY < 0 ? 1 : -1]);
    clearTimeout(this.wheelTimer);
    this.wheelTimer = setTimeout(() => this.letGo("wheel"), 200);
  }

  // The active privacy zones, black over the live picture at the camera's current view
  // (the same lens geometry as watchkeeper.ptz.zones, which documents it).
  paintMasks() {
    if (!this.masks) {
      this.masks = document.createElement("div");
      this.masks.className = "ptz-masks";
      const video = this.tile.querySelector("video");
      video?.after(this.masks);
      video?.addEventListener("resize", () => this.paintMasks()); // picture size known or changed
      new ResizeObserver(() => this.paintMasks()).observe(this.tile);
    }
    const info = this.zoneInfo, pos = this.view, v = this.tile.querySelector("video");
    const boxes = [];
    if (info && pos && v?.videoWidth) {
      const L = info.lens;
      const mag = 1 + Math.max(0, Math.min(1, pos.zoom)) * (L.zoom_max - 1);
      const ru = L.r0_u / mag, rv = L.r0_v / mag;
      const cu = pos.pan * (1 - L.k * ru), cv = pos.tilt * (1 - L.k * rv);
      for (const z of info.zones.filter((z) => z.active)) {
        const x0 = Math.max(0, ((z.u0 - cu) / ru + 1) / 2), x1 = Math.min(1, ((z.u1 - cu) / ru + 1) / 2);
        const y0 = Math.max(0, (1 - (z.v1 - cv) / rv) / 2), y1 = Math.min(1, (1 - (z.v0 - cv) / rv) / 2);
        if (x1 > x0 && y1 > y0) boxes.push([x0, y0, x1, y1, z.name]);
      }
    }
    const r = v ? v.getBoundingClientRect() : null;
    const t = this.tile.getBoundingClientRect();
    const scale = r && v.videoWidth ? Math.min(r.width / v.videoWidth, r.height / v.videoHeight) : 0;
    const w = scale * (v?.videoWidth || 0), h = scale * (v?.videoHeight || 0);
    const left = r ? r.left - t.left + (r.width - w) / 2 : 0, top = r ? r.top - t.top + (r.height - h) / 2 : 0;
    this.masks.replaceChildren(...boxes.map(([x0, y0, x1, y1, name]) => {
      const d = document.createElement("div");
      d.className = "ptz-mask";
      d.title = `Privacy zone: ${name}`;
      Object.assign(d.style, { left: `${left + x0 * w}px`, top: `${top + y0 * h}px`,
        width: `${(x1 - x0) * w}px`, height: `${(y1 - y0) * h}px` });
      return d;
    }));
  }

  // Where a pointer event falls on the picture itself (the video is letterboxed), 0..1.
  pictureAt(e) {
    const v = this.tile.querySelector("video");
    const r = v.getBoundingClientRect();
    const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
    const w = v.videoWidth * scale, h = v.videoHeight * scale;
    const x = (e.clientX - r.left - (r.width - w) / 2) / w;
    const y = (e.clientY - r.top - (r.height - h) / 2) / h;
    return [Math.max(0, Math.min(1, x)), Math.max(0, Math.min(1, y))];
  }

  // Drag a box on the picture; it is kept as a zone of the camera's PTZ space.
  drawZone() {
    this.drawing = true;
    const box = document.createElement("div");
    box.className = "ptz-zone-drawing";
    this.tile.append(box);
    this.say("Drag a box over the private area");
    let start = null;
    const down = (e) => { e.preventDefault(); start = [e.clientX, e.clientY, this.pictureAt(e)]; };
    const move = (e) => {
      if (!start) return;
      const r = this.tile.getBoundingClientRect();
      Object.assign(box.style, {
        left: `${Math.min(start[0], e.clientX) - r.left}px`, top: `${Math.min(start[1], e.clientY) - r.top}px`,
        width: `${Math.abs(e.clientX - start[0])}px`, height: `${Math.abs(e.clientY - start[1])}px` });
    };
    const up = (e) => {
      this.tile.removeEventListener("pointerdown", down);
      this.tile.removeEventListener("pointermove", move);
      this.tile.removeEventListener("pointerup", up);
      box.remove();
      setTimeout(() => { this.drawing = false; }, 0); // after this pointer's click event
      if (!start) return;
      const [x0, y0] = start[2], [x1, y1] = this.pictureAt(e);
      const name = Math.abs(x1 - x0) > 0.01 && Math.abs(y1 - y0) > 0.01 && prompt("Zone name (e.g. 12 High St windows)");
      if (name) this.send({ type: "zone_add", name, x0: Math.min(x0, x1), y0: Math.min(y0, y1),
        x1: Math.max(x0, x1), y1: Math.max(y0, y1) });
    };
    this.tile.addEventListener("pointerdown", down);
    this.tile.addEventListener("pointermove", move);
    this.tile.addEventListener("pointerup", up);
  }
}

export function attachPtz(tile) {
  return tile.ptz || new PtzPanel(tile);
}

// Keys go to the focused tile's panel while it holds control; arrows otherwise move focus.
document.addEventListener("keyup", (e) => {
  document.activeElement?.closest("wk-live-tile")?.ptz?.key(e, false);
});
