// One bid: its social value by outcome and by measure, and each criterion's score with the
// engine's explanation, from the lot's latest evaluation.

import { ApiError, get, path } from './api.js';
import { badge, empty, fact, h, section, table } from './dom.js';
import { amountBars } from './charts.js';
import { measuresOf, outcomeLabel, outcomeNames } from './catalogue.js';
import * as fmt from './format.js';

export async function render({ tender: tenderId, lot: lotId, bid: bidId }) {
  const base = path`/v1/tenders/${tenderId}/lots/${lotId}`;
  const [tender, bid, runs] = await Promise.all([
    get(path`/v1/tenders/${tenderId}`),
    get(`${base}/bids/${encodeURIComponent(bidId)}`),
    get(`${base}/evaluations`),
  ]);
  const lot = tender.lots.find((l) => l.id === lotId);
  if (!lot) throw new ApiError(404, null);
  const [framework, measure] = await Promise.all([
    get(path`/v1/frameworks/${tender.framework}`),
    measuresOf([tender.measure_set], bid.commitments.map((c) => c.measure).filter(Boolean)),
  ]);
  const outcomeName = outcomeNames(framework);
  const run = runs.at(-1);
  const scored = run?.result.results.find((r) => r.bid_id === bidId);
  const criteria = new Map((run ? await schemeCriteria(base) : []).map((c) => [c.id, c]));

  return h('div', null,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/tenders' }, 'Tenders'), ' › ', tender.title, ' › ',
      h('a', { href: `#/tenders/${encodeURIComponent(tenderId)}/lots/${encodeURIComponent(lotId)}` }, lot.title)),
    h('h1', { tabindex: -1 }, bid.supplier.name),
    h('dl', { class: 'facts' },
      fact('Price', fmt.money(bid.price)),
      fact('Status', fmt.words(bid.status)),
      fact('Submitted', fmt.when(bid.submitted_at)),
      fact('Rank', scored ? (scored.rank === null ? badge('Disqualified', 'bad') : String(scored.rank)) : '—'),
      fact('Total points', scored ? fmt.points(scored.total_display) : '—'),
      fact('Social value', scored ? `${fmt.money(scored.social_value.value)} (${fmt.percent(scored.social_value.percent_of_price)} of price)` : '—')),
    scored ? scoredPanels(scored, framework, outcomeName, measure, criteria)
      : section('Scores', empty('This bid is not in an evaluation run yet.')),
    section('Commitments as submitted',
      bid.commitments.length
        ? table('Commitments', ['#', 'Commitment', 'Measure', 'Quantity', 'Confirmed by'],
          bid.commitments.map((c) => [
            String(c.index),
            c.description ?? '—',
            c.measure ? `${c.measure} ${measure.get(c.measure)?.name ?? ''}` : badge('Not mapped yet', 'warn'),
            c.quantity === null ? '—' : `${fmt.number(c.quantity)} ${c.unit ?? measure.get(c.measure)?.unit ?? ''}`,
            c.confirmed_by ? `${c.confirmed_by}, ${fmt.when(c.confirmed_at)}` : '—',
          ]), { numeric: [0, 3] })
        : empty('The bid makes no social value commitments.')));
}

async function schemeCriteria(base) {
  try {
    return (await get(`${base}/scheme`)).scheme.criteria;
  } catch {
    return []; // names are a nicety; ids still identify the criteria
  }
}

function scoredPanels(scored, framework, outcomeName, measure, criteria) {
  const ownOutcomes = scored.social_value.by_outcome.filter((o) => o.outcome.startsWith(`${framework.code}:`));
  return [
    scored.disqualification_reasons.length
      ? section('Why this bid was disqualified', h('ul', { class: 'notes' }, scored.disqualification_reasons.map((r) => h('li', null, r.message))))
      : null,
    section(`Social value by ${framework.outcome_level ? fmt.words(framework.outcome_level).toLowerCase() : 'outcome'} (${framework.code})`,
      ownOutcomes.length
        ? amountBars(ownOutcomes.map((o) => ({ label: outcomeLabel(o.outcome, outcomeName), value: o.value })),
          `Social value of this bid by ${framework.name} outcome`)
        : empty('None of the commitments serves an outcome of this framework.')),
    section('Social value by measure',
      scored.social_value.by_measure.length
        ? table('Social value per commitment (quantity × proxy value, net of deadweight, attribution and displacement)',
          ['Measure', 'Quantity', 'Value'],
          scored.social_value.by_measure.map((m) => [
            `${m.measure} ${measure.get(m.measure)?.name ?? ''}`,
            `${fmt.number(m.quantity)} ${measure.get(m.measure)?.unit ?? ''}`,
            fmt.money(m.value),
          ]), { numeric: [1, 2] })
        : empty('No commitment is mapped to a measure.')),
    section('Scores by criterion',
      table('Each criterion’s points and how they were worked out', ['Criterion', 'Type', 'Weight', 'Points', 'Explanation'],
        scored.criteria.map((c) => [
          criteria.get(c.criterion_id)?.name ?? c.criterion_id,
          fmt.words(c.type),
          fmt.number(c.weight),
          fmt.points(c.points_display),
          c.explanation,
        ]), { numeric: [2, 3] })),
  ];
}
