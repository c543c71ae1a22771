// The audit ledger's verification (the hash chain re-walked by the server, and the stored rows
// compared with the states it recorded) and its events.

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
  const chain = verification.first_invalid_event
    ? h('p', { class: 'verdict verdict-bad' }, badge('Tampered', 'bad'),
      ` Verification stopped at event ${verification.first_invalid_event.seq} (${fmt.words(verification.first_invalid_event.reason).toLowerCase()}) after checking ${verification.events_checked} events.`)
    : h('p', { class: 'verdict verdict-good' }, badge('Verified', 'good'), ` The chain of ${verification.events_checked} events is intact: every event links to the one before it and matches its own hash.`);
  const findings = verification.state_findings;
  const rows = findings.length
    ? h('div', null,
      h('p', { class: 'verdict verdict-bad' }, badge('Rows changed', 'bad'),
        ` ${findings.length} of ${verification.rows_checked} stored rows do not hold what the ledger recorded: they were changed outside socval.`),
      table('Rows that differ from the ledger', ['Entity', 'Problem', 'What was found'],
        findings.map((f) => [`${fmt.words(f.entity)} ${f.entity_id}`, fmt.words(f.problem), f.message])))
    : h('p', { class: 'verdict verdict-good' }, badge('Rows match', 'good'), ` All ${verification.rows_checked} stored rows hold the state their latest event recorded.`);
  const baseline = verification.baseline
    ? h('p', null, `Data from before ledger v2 was baselined on ${fmt.when(verification.baseline.migrated_at)}: the old chain of ${verification.baseline.old_events_checked} events ${verification.baseline.old_chain_valid ? 'verified' : 'did not verify'} then.`)
    : null;
  return h('div', null,
    heading,
    section('Verification', chain, rows, baseline),
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
