// Draws every <canvas data-chart> of the page with Chart.js (served from /vendor).
// The data come from the server in the attribute: the page and its CSV show the same rows.
"use strict";

const COLOURS = ["#4f8fd6", "#e0a040", "#5cb87a", "#d0605e", "#a07be0", "#4fc0c0",
  "#c0c050", "#e07bb0", "#8090a0", "#70a040", "#b08060", "#6070d0"];

function draw(canvas) {
  const spec = JSON.parse(canvas.dataset.chart);
  const ink = getComputedStyle(document.body).color;
  const round = spec.type === "doughnut";
  // eslint-disable-next-line no-undef
  const chart = new Chart(canvas, {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: [{
        label: spec.title,
        data: spec.values,
        backgroundColor: round ? COLOURS : COLOURS[0],
      }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: round, labels: { color: ink } } },
      scales: round ? {} : {
        x: { ticks: { color: ink } },
        y: { ticks: { color: ink, precision: 0 }, beginAtZero: true },
      },
    },
  });
  canvas.dataset.drawn = String(chart.data.labels.length);
}

function drawAll() {
  if (typeof Chart === "undefined") {
    return;
  }
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    draw(canvas);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawAll);
} else {
  drawAll();
}
