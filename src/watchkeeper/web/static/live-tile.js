// <wk-live-tile camera="ID">: live video of one camera, fMP4 over a WebSocket into MSE.
// Small tiles ask for the sub-stream, a large tile (or full screen) for the main stream;
// the server falls back to main when no sub-stream is recorded. The tile keeps to the live
// edge (the server sends one fragment per frame, so little buffer is needed): a little
// behind, it plays 10% fast until caught up; more than LAG_S behind, it jumps to EDGE_S
// before the newest frame. Steering a PTZ camera is only as good as this lag.
//
// An overlay says what the picture cannot: "Connecting…", "Offline since 21:04" (from the
// ``health`` and ``since`` attributes the wall keeps current), "Not recording", or why there
// is no video at all (refused 403 / unknown 404: the tile stops retrying and says so; it
// tries again when the camera's health comes back to streaming).
const LAG_S = 0.25;
const EDGE_S = 0.04;
const CATCH_UP_S = 0.08;
const MAIN_FROM_PX = 640;

export class LiveTile extends HTMLElement {
  static observedAttributes = ["camera", "health", "since", "label"];

  connectedCallback() {
    this.video = document.createElement("video");
    Object.assign(this.video, { muted: true, autoplay: true, playsInline: true });
    this.video.setAttribute("aria-label", "live video");
    this.label = document.createElement("span");
    this.label.className = "tile-label";
    this.overlay = document.createElement("div");
    this.overlay.className = "tile-overlay";
    this.overlay.setAttribute("role", "status");
    this.replaceChildren(this.video, this.overlay, this.label);
    this.resize = new ResizeObserver(() => this.pickStream());
    this.resize.observe(this);
    this.open();
  }

  disconnectedCallback() {
    this.resize?.disconnect();
    this.close();
  }

  attributeChangedCallback(name, before, after) {
    if (!this.video) return;
    if (name === "camera") { if (before !== after) this.open(); }
    else if (name === "health" && after === "streaming" && before !== after && this.refused) this.open();
    else this.showOverlay();
  }

  // What the overlay says, most telling first; empty while the picture is live.
  showOverlay() {
    const health = this.getAttribute("health") || "";
    const since = this.getAttribute("since");
    let text = "";
    let kind = "";
    if (!this.camera) text = "";
    else if (this.refused) { text = this.refused; kind = "refused"; }
    else if (health === "offline") { text = `Offline${since ? ` since ${since}` : ""}`; kind = "offline"; }
    else if (health === "stalled") { text = `No pictures${since ? ` since ${since}` : ""}`; kind = "offline"; }
    else if (health === "not recording") { text = "Not recording"; kind = "warn"; }
    else if (this.dataset.state !== "playing" && this.dataset.state !== "hls") { text = "Connecting…"; kind = "connecting"; }
    this.overlay.textContent = text;
    this.overlay.hidden = !text;
    this.dataset.overlay = kind;
    const name = this.getAttribute("label");
    this.label.textContent = this.camera ? (name || this.camera) : "";
  }

  // The server refused the camera (4403) or has no video of it (4404): stop, say why.
  refuse(code, reason) {
    this.refused = code === 4403 ? "No video: you may not view this camera"
      : `No video: ${reason || "this camera is not recorded here"}`;
    this.dataset.state = "refused";
    this.close();
    this.video.removeAttribute("src");
    this.showOverlay();
  }

  wanted() {
    return this.clientWidth >= MAIN_FROM_PX ? "main" : "sub";
  }

  pickStream() {
    if (this.stream && this.wanted() !== this.stream && this.camera) this.open();
  }

  close() {
    this.hls?.destroy();
    this.hls = null;
    if (this.ws) { this.ws.onclose = null; this.ws.close(); this.ws = null; }
    this.queue = [];
  }

  open() {
    this.close();
    this.camera = this.getAttribute("camera");
    this.refused = "";
    this.dataset.state = this.camera ? "connecting" : "";
    this.showOverlay();
    if (!this.camera) { this.video.removeAttribute("src"); return; }
    this.stream = this.wanted();
    const cam = encodeURIComponent(this.camera);
    if (!window.MediaSource || this.hasAttribute("hls")) { this.openHls(cam); return; }
    this.gotInit = false;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/live/cameras/${cam}/ws?stream=${this.stream}`);
    ws.binaryType = "arraybuffer";
    ws.onmessage = (ev) => this.onMessage(ev);
    ws.onclose = (ev) => {
      if (ev.code === 4403 || ev.code === 4404) { this.refuse(ev.code, ev.reason); return; }
      this.dataset.state = "closed";
      this.showOverlay();
      this.failures = this.gotInit ? 0 : (this.failures || 0) + 1;
      if (this.failures >= 3) this.setAttribute("hls", "");
      setTimeout(() => this.isConnected && this.ws === ws && this.open(), 2000);
    };
    this.ws = ws;
  }

  openHls(cam) {
    // Fallback: the server's live HLS window, seconds behind rather than sub-second. Used
    // natively by browsers without MSE (older iOS), and through hls.js where the socket
    // keeps failing (a proxy that refuses WebSockets) or the tile has the `hls` attribute.
    const url = `/api/live/cameras/${cam}/hls/live.m3u8?stream=${this.stream}`;
    this.dataset.state = "hls";
    this.showOverlay();
    if (window.Hls?.isSupported()) {
      this.hls = new window.Hls({ liveSyncDurationCount: 1 });
      this.hls.on(window.Hls.Events.ERROR, (_e, d) => {
        const code = d.response?.code;
        if (d.fatal && (code === 403 || code === 404)) this.refuse(code === 403 ? 4403 : 4404, "");
      });
      this.hls.loadSource(url);
      this.hls.attachMedia(this.video);
    } else if (this.video.canPlayType("application/vnd.apple.mpegurl")) {
      this.video.src = url;
    } else {
      this.refused = "This browser cannot play live video";
      this.showOverlay();
    }
    this.video.play().catch(() => {});
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
    this.gotInit = true;
    this.queue = [];
    this.dataset.stream = msg.stream;
    this.dataset.state = "playing";
    this.showOverlay();
    this.ms = new MediaSource();
    this.sb = null;
    this.video.src = URL.createObjectURL(this.ms);
    this.ms.addEventListener("sourceopen", () => {
      this.sb = this.ms.addSourceBuffer(msg.mime);
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
    this.chase();
  }

  chase() {
    const v = this.video;
    const b = v.buffered;
    if (!b.length) return;
    const end = b.end(b.length - 1);
    const lag = end - v.currentTime;
    if (lag > LAG_S) v.currentTime = Math.max(b.start(b.length - 1), end - EDGE_S);
    else v.playbackRate = lag > CATCH_UP_S ? 1.1 : 1.0;
    if (end - b.start(0) > 30 && !this.trimming) {
      // Keep memory bounded: drop what is long past (after this append completes).
      this.trimming = true;
      this.sb.addEventListener("updateend", () => {
        this.sb.remove(0, end - 10);
        this.trimming = false;
      }, { once: true });
    }
    if (v.paused) v.play().catch(() => {});
  }
}

customElements.define("wk-live-tile", LiveTile);
