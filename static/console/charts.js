// The dashboard's charts: each <table data-chart> (the numbers, for screen
// readers and without JavaScript) is drawn by Chart.js (vendored, loaded as
// a classic script before this module) in the canvas it names, then hidden
// visually; screen readers keep the table. Colours come from Tabler's theme.
const { Chart } = window;

// Resolved by the browser (Tabler's colours are oklch() and light-dark(),
// which a canvas does not read): a probe element's computed colour.
const probe = document.createElement("span");
probe.hidden = true;
document.body.append(probe);

function colour(name) {
  probe.style.color = `var(--tblr-${name})`;
  return getComputedStyle(probe).color || "gray";
}

function draw(table) {
  const canvas = document.getElementById(table.dataset.chartCanvas);
  if (!Chart || !canvas) return;
  const rows = [...table.tBodies[0].rows];
  const series = [...table.tHead.rows[0].cells].slice(1);
  const stacked = table.dataset.chart === "stacked";
  const text = colour("secondary");
  const grid = colour("border-color");
  const datasets = series.map((header, index) => {
    const fill = colour(header.dataset.colour);
    return {
      label: header.textContent.trim(),
      data: rows.map((row) => Number(row.cells[index + 1].dataset.value)),
      backgroundColor: fill,
      hoverBackgroundColor: fill,
      borderColor: fill,
      borderWidth: stacked ? 0 : 2,
      pointRadius: 0,
      tension: 0.3,
    };
  });
  new Chart(canvas, {
    type: stacked ? "bar" : "line",
    data: { labels: rows.map((row) => row.cells[0].dataset.short), datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { labels: { color: text, boxWidth: 12 } } },
      scales: {
        x: { stacked, ticks: { color: text, maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
        y: { stacked, beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } },
      },
    },
  });
  table.closest("[data-chart-numbers]")?.classList.add("visually-hidden");
}

document.querySelectorAll("table[data-chart]").forEach(draw);
