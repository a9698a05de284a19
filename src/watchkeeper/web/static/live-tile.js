// <wk-live-tile camera="ID">: live video of one camera, fMP4 over a WebSocket into MSE.
// Small tiles ask for the sub-stream, a large tile (or full screen) for the main stream;
// the server falls back to main when no sub-stream is recorded. The tile keeps to the live
// edge: if the buffer runs more than LAG_S ahead of the picture, it jumps forward.
const LAG_S = 0.4;
const MAIN_FROM_PX = 640;

export class LiveTile extends HTMLElement {
  static observedAttributes = ["camera"];

  connectedCallback() {
    this.video = document.createElement("video");
    Object.assign(this.video, { muted: true, autoplay: true, playsInline: true });
    this.video.setAttribute("aria-label", "live video");
    this.label = document.createElement("span");
    this.label.className = "tile-label";
    this.replaceChildren(this.video, this.label);
    this.resize = new ResizeObserver(() => this.pickStream());
    this.resize.observe(this);
    this.open();
  }

  disconnectedCallback() {
    this.resize?.disconnect();
    this.close();
  }

  attributeChangedCallback() {
    if (this.video) this.open();
  }

  wanted() {
    return this.clientWidth >= MAIN_FROM_PX ? "main" : "sub";
  }

  pickStream() {
    if (this.stream && this.wanted() !== this.stream && this.camera) this.open();
  }

  close() {
    if (this.ws) { this.ws.onclose = null; this.ws.close(); this.ws = null; }
    this.queue = [];
  }

  open() {
    this.close();
    this.camera = this.getAttribute("camera");
    this.label.textContent = this.camera || "";
    if (!this.camera) { this.video.removeAttribute("src"); return; }
    if (!window.MediaSource) { this.label.textContent += " (browser has no MSE)"; return; }
    this.stream = this.wanted();
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/live/cameras/${encodeURIComponent(this.camera)}/ws?stream=${this.stream}`);
    ws.binaryType = "arraybuffer";
    ws.onmessage = (ev) => this.onMessage(ev);
    ws.onclose = (ev) => {
      this.dataset.state = ev.code === 4403 ? "refused" : "closed";
      if (ev.code !== 4403) setTimeout(() => this.isConnected && this.open(), 2000);
    };
    this.ws = ws;
  }

  onMessage(ev) {
    if (typeof ev.data === "string") {
      const msg = JSON.parse(ev.data);
      if (msg.type === "init") this.reset(msg);
      return;
    }
    this.queue.push(ev.data);
    this.pump();
  }

  reset(msg) {
    this.queue = [];
    this.mime = msg.mime;
    this.dataset.stream = msg.stream;
    this.ms = new MediaSource();
    this.sb = null;
    this.video.src = URL.createObjectURL(this.ms);
    this.ms.addEventListener("sourceopen", () => {
      this.sb = this.ms.addSourceBuffer(this.mime);
      this.sb.mode = "segments";
      this.sb.addEventListener("updateend", () => this.pump());
      this.pump();
    }, { once: true });
  }

  pump() {
    const sb = this.sb;
    if (!sb || sb.updating || !this.queue.length) return;
    const parts = this.queue.splice(0);
    const size = parts.reduce((n, p) => n + p.byteLength, 0);
    const buf = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { buf.set(new Uint8Array(p), at); at += p.byteLength; }
    try { sb.appendBuffer(buf); } catch (e) { this.open(); return; }
    const b = this.video.buffered;
    if (b.length) {
      const end = b.end(b.length - 1);
      if (end - this.video.currentTime > LAG_S) this.video.currentTime = Math.max(b.start(b.length - 1), end - 0.05);
      if (sb.buffered.length && end - sb.buffered.start(0) > 30) {
        // Keep memory bounded: drop what is long past.
        queueMicrotask(() => { if (!sb.updating) sb.remove(0, end - 10); });
      }
    }
    if (this.video.paused) this.video.play().catch(() => {});
  }
}

customElements.define("wk-live-tile", LiveTile);
