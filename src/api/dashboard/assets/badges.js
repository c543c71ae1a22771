// The labels shared by several views. Each says its meaning in words, never by colour alone.

import { badge } from './dom.js';
import * as fmt from './format.js';

const STATUS_TONES = { draft: 'neutral', open: 'info', evaluating: 'warn', awarded: 'good', cancelled: 'bad' };

/** A lot's status. */
export function lotStatus(status) {
  return badge(fmt.words(status), STATUS_TONES[status] ?? 'neutral');
}

/**
 * The social value weight of a lot's scheme, checked against the central-government minimum of
 * 10% (PPN 06/20, PPN 002). `weight` is the report's `LotWeightView`, or undefined without a scheme.
 */
export function socialValueWeight(weight) {
  if (!weight) return badge('No scheme yet', 'neutral');
  const percent = fmt.percent(weight.social_value_weight_percent);
  if (weight.authority_type !== 'central_government') return badge(`SV ${percent}`, 'info');
  if (Number(weight.social_value_weight_percent) >= 10) {
    return badge(`SV ${percent} · meets 10% minimum`, 'good');
  }
  if (weight.exemption_reason) {
    return badge(`SV ${percent} · exempted`, 'warn', `Exemption: ${weight.exemption_reason} (approved by ${weight.exemption_approved_by})`);
  }
  return badge(`SV ${percent} · below 10% minimum`, 'bad');
}
