// Tenders and their lots: status, value, social value weight and the 10% check.

import { getAll, getIfAllowed } from './api.js';
import { empty, fact, h, section, table } from './dom.js';
import * as badges from './badges.js';
import * as fmt from './format.js';

export async function render() {
  const [tenders, report] = await Promise.all([
    getAll('/v1/tenders'),
    getIfAllowed('/v1/reports/social-value'),
  ]);
  const weights = new Map((report?.lots ?? []).map((w) => [w.lot_id, w]));
  const heading = h('h1', { tabindex: -1 }, 'Tenders');
  if (!tenders.length) {
    return h('div', null, heading, empty('Your organisation has no tenders yet. Platforms create them with POST /v1/tenders.'));
  }
  return h('div', null,
    heading,
    h('p', { class: 'lede' }, `${tenders.length} tender${tenders.length === 1 ? '' : 's'} of your organisation.`),
    tenders.map((tender) => section(tender.title,
      h('dl', { class: 'facts' },
        fact('Buyer', tender.buyer),
        fact('Authority', fmt.words(tender.authority_type)),
        fact('Framework', tender.framework),
        fact('Value', fmt.money(tender.value)),
        fact('Reference', tender.external_id ?? tender.ocid ?? '—')),
      table(`Lots of ${tender.title}`, ['Lot', 'Status', 'Value', 'Social value weight'],
        tender.lots.map((lot) => [
          h('a', { href: `#/tenders/${encodeURIComponent(tender.id)}/lots/${encodeURIComponent(lot.id)}` }, lot.title),
          badges.lotStatus(lot.status),
          fmt.money(lot.value),
          badges.socialValueWeight(weights.get(lot.id)),
        ]), { numeric: [2] }))));
}
