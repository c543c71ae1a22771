// Charts as SVG we write ourselves (no chart library, nothing fetched). Numbers become pixel
// positions here only; every figure a person reads is the API's exact decimal, formatted.

import { h, svg } from './dom.js';
import * as fmt from './format.js';

/** Series colours: each at least 3:1 against white (WCAG 1.4.11) and told apart by dash too. */
export const PALETTE = ['#1d4ed8', '#b91c1c', '#047857', '#7e22ce', '#b45309', '#0e7490', '#be185d', '#4d7c0f'];
const DASHES = ['', '6 4', '2 3'];
const dashOf = (index) => DASHES[index % DASHES.length] || null;

export const SEGMENTS = [
  { key: 'price', label: 'Price', className: 'seg-price' },
  { key: 'quality', label: 'Quality', className: 'seg-quality' },
  { key: 'social_value', label: 'Social value', className: 'seg-social' },
];

function legend(entries) {
  return h('ul', { class: 'legend' }, entries.map(({ label, className, colour, dash }) =>
    h('li', null,
      svg('svg', { width: 22, height: 10, 'aria-hidden': 'true', focusable: 'false' },
        colour
          ? svg('line', { x1: 1, y1: 5, x2: 21, y2: 5, stroke: colour, 'stroke-width': 3, 'stroke-dasharray': dash || null })
          : svg('rect', { width: 22, height: 10, class: className })),
      label)));
}

/**
 * One horizontal bar per bid: price, quality and social value points stacked on a 0–100 axis.
 * `rows`: [{ label, subtotals: {price, quality, social_value}, total, note }].
 */
export function stackedBars(rows) {
  const max = Math.max(100, ...rows.map((r) => Number(r.total ?? 0)));
  const bar = (row) => {
    let x = 0;
    const rects = SEGMENTS.map(({ key, label, className }) => {
      const value = row.subtotals?.[key];
      const width = Math.max(0, Number(value ?? 0)) / max * 100;
      const rect = svg('rect', { x, y: 0, width, height: 10, class: className },
        svg('title', null, `${label}: ${fmt.points(value)} points`));
      x += width;
      return rect;
    });
    return svg('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
      svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'bar-track' }), rects);
  };
  const summary = rows.map((r) => `${r.label}: ${SEGMENTS.map((s) => `${s.label.toLowerCase()} ${fmt.points(r.subtotals?.[s.key])}`).join(', ')}; total ${fmt.points(r.total)}`).join('. ');
  return h('figure', { class: 'chart stacked' },
    h('div', { role: 'img', 'aria-label': `Points per bid. ${summary}` },
      rows.map((row) => h('div', { class: 'bar-row' },
        h('span', { class: 'bar-label' }, row.label),
        bar(row),
        h('span', { class: 'bar-total num' }, row.note ?? fmt.points(row.total))))),
    h('figcaption', null, legend(SEGMENTS)));
}

/**
 * A line per series over evaluation runs. `runs`: [{ label }], `series`: [{ label, values: [decimal
 * string | null per run] }] on a 0–`max` axis.
 */
export function lineChart({ runs, series, width, height = 260, max = 100, caption }) {
  const margin = { top: 12, right: 16, bottom: 40, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xAt = (i) => margin.left + (runs.length === 1 ? plotW / 2 : (i * plotW) / (runs.length - 1));
  const yAt = (v) => margin.top + plotH - (Number(v) / max) * plotH;
  const ticks = [0, 25, 50, 75, 100].map((t) => (t * max) / 100);
  // The first and last labels hug the plot's edges so they are never cut off.
  const anchorAt = (i) => (runs.length === 1 ? 'middle' : i === 0 ? 'start' : i === runs.length - 1 ? 'end' : 'middle');
  const everyNth = Math.max(1, Math.ceil(runs.length / Math.max(1, Math.floor(plotW / 90))));

  const grid = ticks.map((t) => svg('g', null,
    svg('line', { x1: margin.left, x2: width - margin.right, y1: yAt(t), y2: yAt(t), class: 'grid' }),
    svg('text', { x: margin.left - 6, y: yAt(t) + 4, 'text-anchor': 'end', class: 'axis' }, fmt.number(t))));
  const xLabels = runs.map((run, i) => (i % everyNth === 0 || i === runs.length - 1)
    ? svg('text', { x: xAt(i), y: height - margin.bottom + 18, 'text-anchor': anchorAt(i), class: 'axis' }, run.label)
    : null);
  const lines = series.map((s, index) => {
    const colour = PALETTE[index % PALETTE.length];
    const points = s.values.map((v, i) => (v === null || v === undefined ? null : [xAt(i), yAt(v)]));
    const segments = [];
    let current = [];
    for (const p of points) {
      if (p) current.push(p);
      else if (current.length) { segments.push(current); current = []; }
    }
    if (current.length) segments.push(current);
    return svg('g', null,
      segments.map((seg) => svg('polyline', {
        points: seg.map(([x, y]) => `${x},${y}`).join(' '), fill: 'none', stroke: colour,
        'stroke-width': 2.5, 'stroke-dasharray': dashOf(index),
      })),
      points.map((p, i) => p && svg('circle', { cx: p[0], cy: p[1], r: 3.5, fill: colour },
        svg('title', null, `${s.label}, ${runs[i].label}: ${fmt.points(s.values[i])} points`))));
  });
  return h('figure', { class: 'chart line' },
    svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': caption },
      grid, xLabels, lines,
      svg('text', { x: 12, y: margin.top + plotH / 2, class: 'axis', transform: `rotate(-90 12 ${margin.top + plotH / 2})`, 'text-anchor': 'middle' }, 'points')),
    h('figcaption', null, legend(series.map((s, index) => ({
      label: s.label,
      colour: PALETTE[index % PALETTE.length],
      dash: dashOf(index),
    })))));
}

/** Horizontal bars of £ amounts with their labels, largest first. `items`: [{ label, value }]. */
export function amountBars(items, caption) {
  const sorted = [...items].sort((a, b) => Number(b.value) - Number(a.value));
  const max = Math.max(1, ...sorted.map((i) => Number(i.value)));
  return h('figure', { class: 'chart amounts' },
    h('div', { role: 'img', 'aria-label': `${caption}. ${sorted.map((i) => `${i.label}: ${fmt.money(i.value)}`).join('; ')}` },
      sorted.map((item) => h('div', { class: 'bar-row' },
        h('span', { class: 'bar-label' }, item.label),
        svg('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
          svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'bar-track' }),
          svg('rect', { x: 0, y: 0, width: (Number(item.value) / max) * 100, height: 10, class: 'seg-social' })),
        h('span', { class: 'bar-total num' }, fmt.money(item.value))))),
    h('figcaption', { class: 'visually-hidden' }, caption));
}
