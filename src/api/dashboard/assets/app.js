// The dashboard's shell: sign-in, navigation and routing between views (hash routes, so the page
// is one static file and a link to a lot can be bookmarked or shared without the token).

import { ApiError, get, session } from './api.js';
import { h } from './dom.js';
import * as tenders from './tenders.js';
import * as lot from './lot.js';
import * as bid from './bid.js';
import * as report from './report.js';
import * as audit from './audit.js';

const ROUTES = [
  { pattern: /^\/tenders$/, view: tenders, nav: 'tenders' },
  { pattern: /^\/tenders\/([^/]+)\/lots\/([^/]+)$/, view: lot, nav: 'tenders', params: ['tender', 'lot'] },
  { pattern: /^\/tenders\/([^/]+)\/lots\/([^/]+)\/bids\/([^/]+)$/, view: bid, nav: 'tenders', params: ['tender', 'lot', 'bid'] },
  { pattern: /^\/report$/, view: report, nav: 'report' },
  { pattern: /^\/audit$/, view: audit, nav: 'audit' },
];

const $ = (selector) => document.querySelector(selector);
let principal = null;
let renderCount = 0;
// Moving focus to the new heading tells screen-reader users the view changed; on the first load
// the browser's own start (the skip link first) is the right place.
let navigated = false;

/** A token handed over by an embedding platform as `#token=…` (optionally `&view=/tenders/…`). */
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (!token) return;
  session.signIn(token);
  principal = null;
  // Out of the address bar and the history at once, so it is not bookmarked or shared.
  history.replaceState(null, '', `${location.pathname}#${fragment.get('view') || '/tenders'}`);
}

function showStatus(message, tone = 'error') {
  const status = $('.status');
  status.replaceChildren(message ? h('p', { class: `notice notice-${tone}` }, message) : '');
}

function showSignIn(message, tone = 'error') {
  principal = null;
  $('.sign-in').hidden = false;
  $('.site-nav').hidden = true;
  $('.identity').hidden = true;
  $('.view').replaceChildren();
  showStatus(message, tone);
  $('#token').focus();
}

async function whoAmI() {
  if (!principal) {
    principal = await get('/v1/whoami');
    $('.who').textContent = `${principal.sub} · ${principal.org} · ${principal.roles.join(', ') || 'no role'}`;
  }
  return principal;
}

async function route() {
  takeTokenFromFragment();
  if (!session.token) return showSignIn();
  const current = ++renderCount;
  const [path, search] = (location.hash.replace(/^#/, '') || '/tenders').split('?');
  const match = ROUTES.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  const view = $('.view');
  view.setAttribute('aria-busy', 'true');
  showStatus('');
  try {
    const who = await whoAmI();
    $('.sign-in').hidden = true;
    $('.site-nav').hidden = false;
    $('.identity').hidden = false;
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (match && link.dataset.nav === match.r.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (!match) {
      view.replaceChildren(h('h1', { tabindex: -1 }, 'Page not found'), h('p', null, h('a', { href: '#/tenders' }, 'Back to tenders')));
    } else {
      const params = Object.fromEntries((match.r.params ?? []).map((name, i) => [name, decodeURIComponent(match.m[i + 1])]));
      const content = await match.r.view.render(params, { principal: who, width: view.clientWidth, query: new URLSearchParams(search ?? '') });
      if (current !== renderCount) return; // a later navigation won
      view.replaceChildren(content);
    }
    document.title = `${view.querySelector('h1')?.textContent ?? 'Dashboard'} · socval`;
    if (navigated) view.querySelector('h1')?.focus();
    navigated = true;
  } catch (error) {
    if (current !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      session.signOut();
      return showSignIn(error.explain());
    }
    view.replaceChildren();
    showStatus(error instanceof ApiError ? error.explain() : `Something went wrong: ${error.message}`);
    if (error instanceof ApiError && error.status === 403 && !principal) showSignIn(error.explain());
  } finally {
    view.setAttribute('aria-busy', 'false');
  }
}

function start() {
  $('.sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('#token').value.trim();
    if (!token) return showStatus('Paste a token first.');
    session.signIn(token);
    $('#token').value = '';
    principal = null;
    route();
  });
  $('.sign-out').addEventListener('click', () => {
    session.signOut();
    showSignIn('Signed out.', 'info');
    history.replaceState(null, '', `${location.pathname}#/tenders`);
  });
  window.addEventListener('hashchange', route);
  route();
}

start();
