// Building the DOM without HTML strings: every text goes through textContent, so nothing the server
// or a user typed can become markup.

/** h('button', {type: 'button', onclick: f}, 'Save') → an element; attrs starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (!svg && name in el && typeof value !== 'string') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

const SVG_TAGS = new Set(['svg', 'rect', 'line', 'text', 'g', 'title', 'path', 'pattern', 'defs']);

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** "2026-12-07T16:00:00Z" → "2026-12-07 16:00 UTC"; empty for none. */
export function when(timestamp) {
  if (!timestamp) return '';
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return timestamp;
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** Micro-USD (an int64, a string in JSON) as USD with at least two decimals, exactly: 12500000 → "12.50". */
export function usd(micros) {
  let value = BigInt(micros || 0);
  const negative = value < 0n;
  if (negative) value = -value;
  let fraction = (value % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return (negative ? '-' : '') + (value / 1000000n).toString() + '.' + fraction;
}

/** "12.5" → "12500000", or null when it is not a non-negative amount with at most six decimals. */
export function toMicros(text) {
  const match = /^\s*(\d+)(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!match) return null;
  return (BigInt(match[1]) * 1000000n + BigInt((match[2] || '').padEnd(6, '0') || '0')).toString();
}

/** An int64 figure with thousands separators. */
export function count(value) {
  return BigInt(value || 0).toLocaleString('en-US');
}

const LABELS = {
  KEY_KIND_ADMIN: 'Admin', KEY_KIND_PROJECT: 'Project', KEY_KIND_SIDECAR: 'Sidecar',
  OWNER_TYPE_USER: 'User', OWNER_TYPE_SERVICE_ACCOUNT: 'Service',
  KEY_STATUS_ACTIVE: 'Active', KEY_STATUS_DISABLED: 'Disabled', KEY_STATUS_REVOKED: 'Revoked',
  PERMISSION_PRESET_ALL: 'All', PERMISSION_PRESET_READ_ONLY: 'Read only', PERMISSION_PRESET_RESTRICTED: 'Restricted',
  PERMISSION_PRESET_UNSPECIFIED: 'All',
  RESET_PERIOD_NEVER: 'Never', RESET_PERIOD_DAILY: 'Daily', RESET_PERIOD_WEEKLY: 'Weekly',
  RESET_PERIOD_MONTHLY: 'Monthly', RESET_PERIOD_UNSPECIFIED: 'Never',
  ACCESS_LEVEL_NONE: 'None', ACCESS_LEVEL_READ: 'Read', ACCESS_LEVEL_WRITE: 'Write',
};

/** The words a person reads for an enum name of the API. */
export function label(enumName) {
  return LABELS[enumName] || enumName || '';
}

/** "chat_completions" → "Chat completions"; "ocr" → "OCR". */
export function resourceLabel(name) {
  if (name === 'ocr') return 'OCR';
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
