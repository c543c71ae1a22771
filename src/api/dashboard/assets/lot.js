// One lot: its latest evaluation as a ranking (stacked points per bid, winner, flags and
// disqualifications with their reasons), the award and its standstill, the moderation spreads
// and the score history.

import { ApiError, get, getAll, getIfAllowed, path } from './api.js';
import { badge, empty, fact, h, section, table } from './dom.js';
import { lineChart, stackedBars } from './charts.js';
import { awardPanel } from './award.js';
import * as badges from './badges.js';
import * as fmt from './format.js';

export async function render({ tender: tenderId, lot: lotId }, { width }) {
  const base = path`/v1/tenders/${tenderId}/lots/${lotId}`;
  const [tender, bids, runs, report, history] = await Promise.all([
    get(path`/v1/tenders/${tenderId}`),
    getAll(`${base}/bids`),
    get(`${base}/evaluations`),
    getIfAllowed('/v1/reports/social-value'),
    get(path`/v1/tenders/${tenderId}/score-history?lot=${lotId}`),
  ]);
  const lot = tender.lots.find((l) => l.id === lotId);
  if (!lot) throw new ApiError(404, null);
  const [scheme, moderation, award] = await Promise.all([
    optional(get(`${base}/scheme`)),
    optional(getIfAllowed(`${base}/moderation`)),
    lot.status === 'awarded' ? optional(get(`${base}/award`)) : null,
  ]);
  const names = new Map(bids.map((b) => [b.id, b.supplier.name]));
  const nameOf = (id) => names.get(id) ?? id;
  const criterionName = (id) => scheme?.scheme.criteria.find((c) => c.id === id)?.name ?? id;
  const latest = runs.at(-1);

  return h('div', null,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/tenders' }, 'Tenders'), ' › ', tender.title),
    h('h1', { tabindex: -1 }, lot.title),
    h('dl', { class: 'facts' },
      fact('Status', badges.lotStatus(lot.status)),
      fact('Value', fmt.money(lot.value)),
      fact('Social value weight', badges.socialValueWeight(report?.lots.find((w) => w.lot_id === lotId))),
      fact('Bids', String(bids.filter((b) => b.status === 'submitted').length)),
      fact('Evaluation runs', String(runs.length))),
    latest
      ? ranking(latest, nameOf, base)
      : [section('Ranking', empty(lot.status === 'open' || lot.status === 'draft'
        ? 'No evaluation yet: bids are scored once the lot is closed and an evaluation is run.'
        : 'No evaluation has been run for this lot yet.')), received(bids, base)],
    awardPanel(award, nameOf),
    moderationPanel(moderation, nameOf, criterionName),
    historyPanel(history.items.filter((entry) => entry.lot_id === lotId), nameOf, width));
}

/** The dashboard route of a bid of the lot whose API path is `base`. */
function bidHref(base, bidId) {
  return `#${base.replace('/v1', '')}/bids/${encodeURIComponent(bidId)}`;
}

/** A missing scheme or a lot not yet under evaluation is not an error for this page. */
async function optional(promise) {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ApiError && [404, 409].includes(error.status)) return null;
    throw error;
  }
}

function ranking(run, nameOf, base) {
  const { result } = run;
  const qualified = result.results.filter((r) => r.status === 'qualified');
  const disqualified = result.results.filter((r) => r.status !== 'qualified');
  const supplierCell = (r) => h('span', null,
    h('a', { href: bidHref(base, r.bid_id) }, nameOf(r.bid_id)),
    r.bid_id === result.winner ? [' ', badge('Winner', 'good')] : null);
  const flagged = result.results.filter((r) => r.flags.length);
  return section('Ranking',
    h('p', { class: 'meta' },
      `Latest run, ${fmt.when(run.created_at)} by ${run.created_by} · engine ${run.engine_version} · inputs `,
      h('code', { title: run.inputs_sha256 }, fmt.shortHash(run.inputs_sha256)),
      result.winner ? '' : ' · no single winner'),
    qualified.length
      ? stackedBars(qualified.map((r) => ({ label: nameOf(r.bid_id), subtotals: r.subtotals, total: r.total_display })))
      : empty('No bid qualified.'),
    table('Ranking of the latest evaluation', ['Rank', 'Supplier', 'Price', 'Price points', 'Quality points', 'Social value points', 'Total'],
      result.results.map((r) => [
        r.rank === null ? badge('Disqualified', 'bad') : String(r.rank),
        supplierCell(r),
        fmt.money(r.criteria.find((c) => c.type === 'price')?.input.price),
        fmt.points(r.subtotals.price),
        fmt.points(r.subtotals.quality),
        fmt.points(r.subtotals.social_value),
        h('strong', null, fmt.points(r.total_display)),
      ]),
      { numeric: [0, 2, 3, 4, 5, 6], rowAttributes: (i) => ({ 'data-bid': result.results[i].bid_id, 'data-rank': result.results[i].rank ?? '', 'data-total': result.results[i].total_display ?? '', class: result.results[i].status === 'qualified' ? null : 'row-muted' }) }),
    result.warnings.length ? h('ul', { class: 'notes' }, result.warnings.map((w) => h('li', null, badge(fmt.words(w.code), 'warn'), ' ', w.message))) : null,
    disqualified.length ? h('div', null, h('h3', null, 'Disqualified'), h('ul', { class: 'notes' },
      disqualified.map((r) => h('li', null, h('strong', null, nameOf(r.bid_id)), ': ',
        r.disqualification_reasons.map((reason) => reason.message).join('; '))))) : null,
    flagged.length ? h('div', null, h('h3', null, 'Flags to review'), h('ul', { class: 'notes' },
      flagged.flatMap((r) => r.flags.map((f) => h('li', null, badge(fmt.words(f.code), 'warn'), ' ', h('strong', null, nameOf(r.bid_id)), ': ', f.message))))) : null);
}

/** The bids received so far, before any evaluation ranks them. */
function received(bids, base) {
  return section('Bids received',
    bids.length
      ? table('Bids received, in the order they arrived', ['Supplier', 'Price', 'Submitted', 'Status'],
        bids.map((b) => [
          h('a', { href: bidHref(base, b.id) }, b.supplier.name),
          fmt.money(b.price),
          fmt.when(b.submitted_at),
          fmt.words(b.status),
        ]), { numeric: [1] })
      : empty('No bids yet.'));
}

function moderationPanel(moderation, nameOf, criterionName) {
  if (moderation === null) return null; // not under evaluation yet, or the role may not see it
  const items = moderation.items;
  const discrepancies = items.filter((i) => i.marks_discrepancy).length;
  return section('Moderation',
    items.length
      ? [h('p', null, discrepancies
        ? `Evaluators’ marks differ by more than 40% of the scale on ${discrepancies} item${discrepancies === 1 ? '' : 's'}, highlighted below.`
        : 'No evaluators’ marks differ by more than 40% of the scale.'),
      table('Marks and their spread per bid and criterion', ['Supplier', 'Criterion', 'Marks', 'Spread', 'Status', 'Consensus'],
        items.map((item) => [
          nameOf(item.bid_id),
          criterionName(item.criterion_id),
          item.marks.map((m) => `${m.by}: ${fmt.number(m.score)}`).join(', ') || '—',
          item.marks_discrepancy ? h('span', null, fmt.number(item.spread), ' ', badge('Discrepancy', 'bad')) : fmt.number(item.spread),
          fmt.words(item.status),
          fmt.number(item.consensus),
        ]),
        { numeric: [3, 5], rowAttributes: (i) => ({ class: items[i].marks_discrepancy ? 'row-alert' : null }) })]
      : empty('No criterion needs marks.'));
}

function historyPanel(entries, nameOf, width) {
  if (!entries.length) return section('Score history', empty('No evaluation runs yet.'));
  // Runs of one day are told apart by their time, runs of several days by their date.
  const oneDay = new Set(entries.map((entry) => fmt.day(entry.created_at))).size === 1;
  const runs = entries.map((entry, i) => ({ label: `#${i + 1} ${oneDay ? fmt.time(entry.created_at) : fmt.day(entry.created_at)}` }));
  const bidIds = [...new Set(entries.flatMap((entry) => entry.scores.map((s) => s.bid_id)))];
  const series = bidIds.map((id) => ({
    label: nameOf(id),
    values: entries.map((entry) => entry.scores.find((s) => s.bid_id === id)?.total_display ?? null),
  }));
  return section('Score history',
    h('p', null, `Total points per bid in each of the ${entries.length} evaluation run${entries.length === 1 ? '' : 's'}, oldest first.`),
    lineChart({ runs, series, width: Math.max(300, Math.min(920, width - 32)), caption: 'Total points per bid over evaluation runs' }),
    h('details', null, h('summary', null, 'Score history as a table'),
      table('Total points per run', ['Run', ...series.map((s) => s.label)],
        entries.map((entry, i) => [`#${i + 1}, ${fmt.when(entry.created_at)}`, ...series.map((s) => fmt.points(s.values[i]))]),
        { numeric: series.map((_, i) => i + 1) })));
}
