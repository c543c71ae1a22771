// Names for the codes the API reports (outcomes, award criteria, measures), from the catalogue.

import { getAll, path } from './api.js';

/** Outcome and award-criterion code → name, for one framework (`GET /v1/frameworks/{code}`). */
export function outcomeNames(framework) {
  const names = new Map();
  for (const outcome of framework.outcomes) {
    names.set(outcome.code, outcome.name);
    for (const criterion of outcome.award_criteria ?? []) names.set(criterion.code, criterion.title);
  }
  return names;
}

/** `PPN002:O2` → `O2 Skills for growth`. */
export function outcomeLabel(code, names) {
  return `${code.split(':').at(-1)} ${names.get(code) ?? ''}`.trim();
}

/** Measure code → the measure, from the given sets, reading only as many sets as it takes. */
export async function measuresOf(setIds, codes) {
  const measures = new Map();
  for (const id of setIds) {
    if (codes.every((code) => measures.has(code))) break;
    for (const m of await getAll(path`/v1/measure-sets/${id}`)) if (!measures.has(m.code)) measures.set(m.code, m);
  }
  return measures;
}
