// Zone editor: click on the picture to place corners (fractions 0..1 of the picture), shown
// as a polygon over it with the camera's existing zones (masks dark, zones outlined).
const editor = document.querySelector("#zone-editor");
const svg = document.querySelector("#zone-drawing");
const input = document.querySelector("#zone-points");
const NS = "http://www.w3.org/2000/svg";
const picture = document.querySelector("#zone-picture");
picture.addEventListener("error", () => { picture.hidden = true; editor.dataset.nopicture = "1"; });
let points = input.value ? JSON.parse(input.value) : [];

function poly(pts, cls) {
  const p = document.createElementNS(NS, "polygon");
  p.setAttribute("points", pts.map(([x, y]) => `${x},${y}`).join(" "));
  p.setAttribute("class", cls);
  return p;
}

function draw() {
  const existing = JSON.parse(editor.dataset.zones || "[]");
  svg.replaceChildren(
    ...existing.map((z) => poly(z.points, `zone-${z.kind}`)),
    ...(points.length ? [poly(points, "zone-new")] : []),
    ...points.map(([x, y]) => {
      const c = document.createElementNS(NS, "circle");
      c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", "0.006");
      c.setAttribute("class", "zone-corner");
      return c;
    }));
  input.value = points.length ? JSON.stringify(points) : "";
  editor.dataset.corners = String(points.length);
}

svg.addEventListener("click", (e) => {
  const r = svg.getBoundingClientRect();
  const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
  points.push([Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000]);
  draw();
});
document.querySelector("#zone-clear").addEventListener("click", () => { points = []; draw(); });
draw();
