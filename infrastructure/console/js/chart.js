// Small SVG charts drawn with plain DOM calls: vertical bars over days (with an optional line on a
// second axis) and horizontal bars for categories. Sized by viewBox, so they scale with their card.

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A round upper bound for an axis: 1, 2, 5 × 10^n. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/**
 * Bars per point, and optionally a line on its own scale (right axis).
 * points: [{label, value, line?}]; format/lineFormat: axis and tooltip text.
 */
export function barChart(points, { title, format = String, lineFormat = String, height = 260, showLine = false, integer = false, width = 640 } = {}) {
  const pad = { top: 14, right: showLine ? 58 : 16, bottom: 34, left: 58 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const max = integer ? Math.max(top, 4) : top; // whole-number ticks for small counts
  const lineMax = niceMax(Math.max(0, ...points.map((p) => p.line || 0)));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title || "" });
  if (title) svg.append(s("title", {}, title));
  for (let i = 0; i <= 4; i += 1) {
    const y = pad.top + plotH - (plotH * i) / 4;
    svg.append(s("line", { x1: pad.left, x2: pad.left + plotW, y1: y, y2: y, class: i ? "grid" : "axis" }));
    svg.append(s("text", { x: pad.left - 6, y: y + 4, "text-anchor": "end" }, format((max * i) / 4)));
    if (showLine) svg.append(s("text", { x: pad.left + plotW + 6, y: y + 4 }, lineFormat((lineMax * i) / 4)));
  }
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const labelEvery = Math.ceil(points.length / 12);
  points.forEach((p, i) => {
    const x = pad.left + slot * i + (slot - barW) / 2;
    const barH = (plotH * p.value) / max;
    svg.append(s("rect", { x, y: pad.top + plotH - barH, width: barW, height: Math.max(barH, 0), rx: 2, class: "bar" },
      s("title", {}, `${p.label}: ${format(p.value)}${showLine ? ` · ${lineFormat(p.line || 0)}` : ""}`)));
    if (i % labelEvery === 0) {
      svg.append(s("text", { x: pad.left + slot * i + slot / 2, y: height - pad.bottom + 16, "text-anchor": "middle" }, p.label));
    }
  });
  if (showLine && points.length) {
    const coords = points.map((p, i) => [pad.left + slot * i + slot / 2, pad.top + plotH - (plotH * (p.line || 0)) / lineMax]);
    svg.append(s("polyline", { points: coords.map((c) => c.join(",")).join(" "), class: "line" }));
    coords.forEach(([x, y]) => svg.append(s("circle", { cx: x, cy: y, r: points.length > 40 ? 1.5 : 3, class: "dot" })));
  }
  return svg;
}

/**
 * Horizontal bars, one row per category. rows: [{label, value, note?, tone?}]; value in 0..max.
 */
export function hbarChart(rows, { title, format = String, max, rowHeight = 28, width = 560 } = {}) {
  const labelW = Math.min(190, Math.round(width * 0.3));
  const valueW = 110;
  const height = rows.length * rowHeight + 8;
  const top = max || niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const plotW = width - labelW - valueW;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title || "" });
  if (title) svg.append(s("title", {}, title));
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const w = top ? (plotW * row.value) / top : 0;
    svg.append(s("text", { x: labelW - 8, y: y + rowHeight / 2 + 4, "text-anchor": "end" }, row.label));
    svg.append(s("rect", { x: labelW, y: y + 5, width: plotW, height: rowHeight - 10, rx: 3, class: "grid", fill: "#f0f3f7" }));
    svg.append(s("rect", { x: labelW, y: y + 5, width: Math.max(w, row.value ? 2 : 0), height: rowHeight - 10, rx: 3, class: `bar ${row.tone || ""}` },
      s("title", {}, `${row.label}: ${format(row.value)}${row.note ? ` (${row.note})` : ""}`)));
    svg.append(s("text", { x: labelW + plotW + 8, y: y + rowHeight / 2 + 4, class: "value" }, `${format(row.value)}${row.note ? `  ${row.note}` : ""}`));
  });
  return svg;
}

/** Met against breached as one bar split in two, with the compliance rate. */
export function splitBar(met, breached, { title, metLabel, breachedLabel, rateText, width = 560 } = {}) {
  const height = 46;
  const total = (met || 0) + (breached || 0);
  const plotW = width - 130;
  const metW = total ? (plotW * met) / total : 0;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title || "" });
  if (title) svg.append(s("title", {}, title));
  svg.append(s("rect", { x: 0, y: 6, width: plotW, height: 22, rx: 4, fill: "#f0f3f7" }));
  if (total) {
    svg.append(s("rect", { x: 0, y: 6, width: metW, height: 22, rx: 4, class: "bar ok" }, s("title", {}, `${metLabel}: ${met}`)));
    svg.append(s("rect", { x: metW, y: 6, width: plotW - metW, height: 22, rx: 4, class: "bar bad" }, s("title", {}, `${breachedLabel}: ${breached}`)));
  }
  svg.append(s("text", { x: plotW + 10, y: 22, class: "value" }, rateText || ""));
  svg.append(s("text", { x: 0, y: 42 }, `${metLabel}: ${met ?? 0} · ${breachedLabel}: ${breached ?? 0}`));
  return svg;
}
