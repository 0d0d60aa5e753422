// Screens register a hash pattern and a render function; app.js follows location.hash. A new screen
// is a new module that calls route(…) and one import line in app.js.
const routes = [];

/** route(/^#\/keys\/([^/]+)$/, (view, ctx, keyId) => …): captured groups arrive decoded. */
export function route(pattern, render) {
  routes.push({ pattern, render });
}

/** The render function and arguments for a hash, or null. */
export function match(hash) {
  for (const { pattern, render } of routes) {
    const found = pattern.exec(hash);
    if (found) return { render, args: found.slice(1).map(decodeURIComponent) };
  }
  return null;
}

export function go(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}
