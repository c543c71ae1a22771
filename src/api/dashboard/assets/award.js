// A lot's award: the decision, the steps the law asks for after it, and the standstill in words.

import { badge, fact, h, section, table } from './dom.js';
import * as fmt from './format.js';

const STEP_NAMES = {
  decision: 'Award decision',
  assessment_summaries_sent: 'Assessment summaries sent',
  notice_published: 'Contract award notice published',
  notices_sent: 'Decision notices sent',
};

const REGIMES = { procurement_act_2023: 'Procurement Act 2023', pcr2015: 'Public Contracts Regulations 2015' };

/** The award panel; nothing while the lot is not awarded. */
export function awardPanel(award, nameOf) {
  if (!award) return null;
  return section('Award',
    h('dl', { class: 'facts' },
      fact('Winner', nameOf(award.winner_bid_id)),
      fact('Decided', fmt.when(award.decided_at)),
      fact('Regime', REGIMES[award.regime] ?? award.regime),
      fact('Next step', award.next_step ? STEP_NAMES[award.next_step] : 'None')),
    h('p', { class: 'standstill' }, standstillSentence(award.standstill)),
    award.summaries?.missing.length
      ? h('p', null, `Assessment summaries still to send: ${award.summaries.missing.map(nameOf).join(', ')}.`)
      : null,
    table('Steps of the award', ['Step', 'When', 'UK date', 'By', 'Notes'],
      award.steps.map((step) => [
        STEP_NAMES[step.step] ?? fmt.words(step.step),
        fmt.when(step.at),
        fmt.calendarDay(step.uk_date),
        step.recorded_by,
        h('span', null,
          step.superseded ? [badge('Corrected later', 'warn'), ' '] : null,
          notes(step, nameOf)),
      ])));
}

/** "standstill: Tuesday 1 to Thursday 10 December 2026; the contract may be entered into from
 * Friday 11 December". */
export function standstillSentence(standstill) {
  if (!standstill) return 'Standstill: not started (it starts with the step the law names next).';
  const entry = fmt.calendarDay(standstill.earliest_entry, { year: false });
  if (!standstill.last_day) return `No standstill (exempt); the contract may be entered into from ${entry}.`;
  const basis = standstill.computed_from === 'decision' ? ' (counted from the decision, as stored)' : '';
  const period = standstill.starts
    ? fmt.calendarRange(standstill.starts, standstill.last_day)
    : `until ${fmt.calendarDay(standstill.last_day)}`;
  const sameYear = standstill.earliest_entry.slice(0, 4) === standstill.last_day.slice(0, 4);
  const from = sameYear ? entry : fmt.calendarDay(standstill.earliest_entry);
  return `Standstill: ${period}${basis}; the contract may be entered into from ${from}.`;
}

function notes(step, nameOf) {
  const parts = [];
  if (step.bids?.length) parts.push(`to ${step.bids.map(nameOf).join(', ')}`);
  if (step.electronic !== undefined) parts.push(step.electronic ? 'sent electronically' : 'sent by other means');
  if (step.notice_id) parts.push(`notice ${step.notice_id}`);
  if (step.exemption) parts.push(`exempt: ${fmt.words(step.exemption.ground)}`);
  if (step.correction_reason) parts.push(`correction: ${step.correction_reason}`);
  return parts.join('; ');
}
