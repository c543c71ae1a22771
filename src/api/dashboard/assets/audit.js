// The audit log's verification state (the hash chain re-walked by the server) and its events.

import { getIfAllowed } from './api.js';
import { badge, empty, h, section, table } from './dom.js';
import * as fmt from './format.js';

export async function render(_, { query }) {
  const cursor = query.get('cursor');
  const [verification, page] = await Promise.all([
    getIfAllowed('/v1/audit/verify'),
    getIfAllowed(`/v1/audit-events?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  ]);
  const heading = h('h1', { tabindex: -1 }, 'Audit log');
  if (!verification || !page) {
    return h('div', null, heading, empty('Your token does not carry the auditor or admin role, which reading the audit log needs.'));
  }
  const state = verification.valid
    ? h('p', { class: 'verdict verdict-good' }, badge('Verified', 'good'), ` The chain of ${verification.events_checked} events is intact: every event links to the one before it and matches its own hash.`)
    : h('p', { class: 'verdict verdict-bad' }, badge('Tampered', 'bad'),
      ` Verification stopped at event ${verification.first_invalid_event.seq} (${fmt.words(verification.first_invalid_event.reason).toLowerCase()}) after checking ${verification.events_checked} events.`);
  return h('div', null,
    heading,
    section('Verification', state),
    section('Events',
      page.items.length
        ? table('Audit events, oldest first', ['#', 'When', 'Who', 'Action', 'Entity', 'Hash'],
          page.items.map((e) => [
            String(e.seq), fmt.when(e.at), `${e.actor_sub} (${e.actor_role})`, e.action, `${e.entity} ${e.entity_id}`,
            h('code', { title: e.hash }, fmt.shortHash(e.hash)),
          ]), { numeric: [0] })
        : empty('No events yet.'),
      page.next_cursor ? h('p', null, h('a', { href: `#/audit?cursor=${encodeURIComponent(page.next_cursor)}` }, 'Later events ›')) : null));
}
