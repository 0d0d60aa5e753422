// Pictures drawn as SVG by hand: a limit as a bar (used, reserved, remaining) and the last 24 hours
// of usage as columns. Sizes are SVG attributes, never style attributes (the CSP admits no inline style).
import { h } from './dom.js';

const WIDTH = 600;

/** A bar of used | reserved | remaining out of limit (all BigInt-able values); no limit: used alone. */
export function limitBar(used, reserved, limit, caption) {
  const total = limit === undefined ? null : Number(BigInt(limit));
  const u = Number(BigInt(used || 0));
  const r = Number(BigInt(reserved || 0));
  const scale = (value) => (total ? Math.max(0, Math.min(WIDTH, (value / total) * WIDTH)) : 0);
  const usedWidth = scale(u);
  const reservedWidth = Math.min(WIDTH - usedWidth, scale(r));
  return h('svg', { class: 'bar', viewBox: `0 0 ${WIDTH} 18`, width: '100%', height: '18', role: 'img',
    'aria-label': caption, preserveAspectRatio: 'none' },
  h('title', {}, caption),
  h('rect', { class: 'bar-remaining', x: 0, y: 0, width: WIDTH, height: 18, rx: 3 }),
  total ? h('rect', { class: 'bar-used', x: 0, y: 0, width: usedWidth.toFixed(1), height: 18 }) : null,
  total ? h('rect', { class: 'bar-reserved', x: usedWidth.toFixed(1), y: 0, width: reservedWidth.toFixed(1), height: 18 }) : null);
}

/**
 * The last 24 hours as columns of requests per bucket (samples oldest first, each
 * {startTime, requests, tokens, costMicroUsd}); an empty frame saying "no usage reported" without any.
 */
export function usageChart(samples) {
  const WIDTH = 1000; // wide and flat: it scales with the page, keeping its proportions
  const height = 200;
  const base = height - 24;
  const parts = [h('title', {}, 'Requests over the last 24 hours'),
    h('line', { class: 'axis', x1: 40, y1: base, x2: WIDTH, y2: base })];
  const reported = (samples || []).filter((s) => s && s.startTime);
  const peak = Math.max(0, ...reported.map((s) => Number(s.requests || 0)));
  if (!reported.length || peak === 0) {
    parts.push(h('text', { class: 'chart-empty', x: WIDTH / 2, y: base / 2 + 6, 'text-anchor': 'middle' },
      'no usage reported'));
  } else {
    const step = (WIDTH - 44) / reported.length;
    reported.forEach((sample, i) => {
      const value = Number(sample.requests || 0);
      const barHeight = (value / peak) * (base - 12);
      parts.push(h('rect', { class: 'chart-bar', x: (44 + i * step).toFixed(1), y: (base - barHeight).toFixed(1),
        width: Math.max(1, step - 2).toFixed(1), height: barHeight.toFixed(1), dataset: { requests: String(value) } },
      h('title', {}, `${sample.startTime.slice(11, 16)} UTC: ${value} requests, ${sample.tokens || 0} tokens`)));
    });
    parts.push(h('text', { class: 'chart-label', x: 36, y: 16, 'text-anchor': 'end' }, String(peak)));
    parts.push(h('text', { class: 'chart-label', x: 44, y: height - 6 }, `24 h ago (${reported[0].startTime.slice(11, 16)} UTC)`));
    parts.push(h('text', { class: 'chart-label', x: WIDTH, y: height - 6, 'text-anchor': 'end' }, 'now'));
  }
  parts.push(h('text', { class: 'chart-label', x: 36, y: base, 'text-anchor': 'end' }, '0'));
  return h('svg', { class: 'chart', id: 'usage-chart', viewBox: `0 0 ${WIDTH} ${height}`, width: '100%',
    role: 'img', 'aria-label': 'Requests over the last 24 hours' }, parts);
}
