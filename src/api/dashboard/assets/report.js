// The org's social value report: committed £ by outcome and measure over a date range, and every
// lot's social value weight against the central-government minimum.

import { get, getAll, path } from './api.js';
import { measuresOf, outcomeLabel, outcomeNames } from './catalogue.js';
import { empty, fact, h, section, table } from './dom.js';
import { amountBars } from './charts.js';
import * as badges from './badges.js';
import * as fmt from './format.js';

export async function render(_, { query }) {
  const range = new URLSearchParams();
  for (const key of ['from', 'to']) if (query.get(key)) range.set(key, query.get(key));
  const report = await get(`/v1/reports/social-value${range.size ? `?${range}` : ''}`);
  const frameworkCodes = [...new Set(report.by_outcome.map((o) => o.code.split(':')[0]))];
  const [frameworks, measureSets] = await Promise.all([
    Promise.all(frameworkCodes.map((code) => get(path`/v1/frameworks/${code}`).catch(() => ({ code, name: code, outcomes: [] })))),
    getAll('/v1/measure-sets'),
  ]);
  const measures = await measuresOf(measureSets.map((set) => set.id), report.by_measure.map((m) => m.code));

  return h('div', null,
    h('h1', { tabindex: -1 }, 'Social value report'),
    rangeForm(query),
    h('dl', { class: 'facts' },
      fact('Committed social value', fmt.money(report.committed_total)),
      fact('Central-government lots at the 10% minimum',
        `${report.central_government_lots_at_minimum} of ${report.central_government_lots}` +
        (report.central_government_share_at_minimum_percent ? ` (${fmt.percent(report.central_government_share_at_minimum_percent)})` : '')),
      fact('Bids received', report.from || report.to ? `${fmt.day(report.from)} to ${fmt.day(report.to)}` : 'all time')),
    frameworks.map((framework) => {
      const names = outcomeNames(framework);
      const items = report.by_outcome.filter((o) => o.code.startsWith(`${framework.code}:`));
      return section(`By outcome: ${framework.name}`,
        amountBars(items.map((o) => ({ label: outcomeLabel(o.code, names), value: o.value })),
          `Committed social value by ${framework.name} outcome`));
    }),
    report.by_outcome.length ? null : section('By outcome', empty('No committed social value in this period.')),
    section('By measure',
      report.by_measure.length
        ? table('Committed social value by measure', ['Measure', 'Value'],
          byValue(report.by_measure).map((m) => [`${m.code} ${measures.get(m.code)?.name ?? ''}`, fmt.money(m.value)]), { numeric: [1] })
        : empty('No commitment is mapped to a measure yet.')),
    section('Social value weight of each lot',
      report.lots.length
        ? table('Social value weight of each lot with a scheme', ['Lot', 'Authority', 'Weight'],
          report.lots.map((l) => [
            h('a', { href: `#/tenders/${encodeURIComponent(l.tender_id)}/lots/${encodeURIComponent(l.lot_id)}` }, l.lot_title),
            fmt.words(l.authority_type),
            badges.socialValueWeight(l),
          ]))
        : empty('No lot has a scheme yet.')));
}

/** Largest first (the order is for reading; the amounts stay exact strings). */
function byValue(amounts) {
  return [...amounts].sort((x, y) => Number(y.value) - Number(x.value));
}

function rangeForm(query) {
  const input = (name, label) => h('div', { class: 'field' },
    h('label', { for: `report-${name}` }, label),
    h('input', { id: `report-${name}`, name, type: 'date', value: query.get(name) ?? '' }));
  return h('form', {
    class: 'range',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new URLSearchParams();
      for (const [key, value] of new FormData(event.target)) if (value) data.set(key, value);
      location.hash = `/report${data.size ? `?${data}` : ''}`;
    },
  }, input('from', 'Bids received from'), input('to', 'to'), h('button', { type: 'submit' }, 'Show'));
}
