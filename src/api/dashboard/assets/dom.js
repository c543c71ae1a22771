// Builds DOM nodes from data without ever parsing strings as HTML, so a supplier called
// "<script>" is shown as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** `h('a', {href: '#/x'}, 'text', child…)`: an HTML element. */
export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element (charts). */
export function svg(tag, attributes, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** A table with a caption, header cells and rows of cells (nodes or text). */
export function table(caption, headers, rows, { numeric = [], rowAttributes } = {}) {
  // `data-label` lets a narrow screen show each row as a card of labelled values.
  const cell = (tag, content, index) => h(tag, {
    class: numeric.includes(index) ? 'num' : null,
    scope: tag === 'th' ? 'col' : null,
    'data-label': tag === 'td' ? headers[index] : null,
  }, content);
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', null,
      h('caption', null, caption),
      h('thead', null, h('tr', null, headers.map((text, i) => cell('th', text, i)))),
      h('tbody', null, rows.map((row, r) => h('tr', rowAttributes?.(r) ?? null, row.map((content, i) => cell('td', content, i)))))));
}

/** A small coloured label; `tone` is one of good, bad, warn, info, neutral. */
export function badge(text, tone = 'neutral', title) {
  return h('span', { class: `badge badge-${tone}`, title }, text);
}

/** A section with a heading. */
export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** One term and its value in a `<dl class="facts">`. */
export function fact(term, value) {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}

/** A paragraph saying there is nothing to show, and why. */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}
