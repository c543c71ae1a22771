// en-GB formatting. The API sends amounts and scores as exact decimal strings; Intl formats a
// decimal string without going through a binary float, so £1,234,567.89 stays exact.

const WHOLE_POUNDS = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });
const PENCE = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const TWO_PLACES = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const UP_TO_TWO = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const WHEN = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
const TIME = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Europe/London' });
const DAY = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' });

const DASH = '—';

/** £ for an amount: whole pounds when it has no pence, else to the penny. */
export function money(amount) {
  if (amount === null || amount === undefined) return DASH;
  const whole = /^-?\d+(\.0+)?$/.test(String(amount));
  return (whole ? WHOLE_POUNDS : PENCE).format(String(amount));
}

/** Points, always with two decimals (the API's `*_display` values already are). */
export function points(value) {
  return value === null || value === undefined ? DASH : TWO_PLACES.format(String(value));
}

/** A plain number with up to two decimals (quantities, weights). */
export function number(value) {
  return value === null || value === undefined ? DASH : UP_TO_TWO.format(String(value));
}

/** A percentage with up to two decimals. */
export function percent(value) {
  return value === null || value === undefined ? DASH : `${UP_TO_TWO.format(String(value))}%`;
}

/** A date and time in UK local time. */
export function when(iso) {
  return iso ? WHEN.format(new Date(iso)) : DASH;
}

/** A time of day in UK local time. */
export function time(iso) {
  return iso ? TIME.format(new Date(iso)) : DASH;
}

/** A date in UK local time. */
export function day(iso) {
  return iso ? DAY.format(new Date(iso)) : DASH;
}

/** `social_value` → `Social value`. */
export function words(code) {
  const text = String(code ?? '').replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A hash shortened for display; the full value goes in a tooltip. */
export function shortHash(hash) {
  return hash ? `${hash.slice(0, 12)}…` : DASH;
}

// Calendar dates (`2026-12-01`) are already UK dates: formatted in UTC so that no offset moves
// them to another day.
const CALENDAR_DAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const CALENDAR_DAY_NO_YEAR = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
const WEEKDAY_AND_DAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', timeZone: 'UTC' });

function calendarDate(date) {
  return new Date(`${date}T00:00:00Z`);
}

/** `2026-12-11` → `Friday 11 December 2026` (without the year when `year` is false). */
export function calendarDay(date, { year = true } = {}) {
  if (!date) return DASH;
  return (year ? CALENDAR_DAY : CALENDAR_DAY_NO_YEAR).format(calendarDate(date)).replace(',', '');
}

/** `2026-12-01`, `2026-12-10` → `Tuesday 1 to Thursday 10 December 2026`; the month and year
 * are repeated only where they differ. */
export function calendarRange(first, last) {
  const sameMonth = first.slice(0, 7) === last.slice(0, 7);
  const sameYear = first.slice(0, 4) === last.slice(0, 4);
  const start = sameMonth
    ? WEEKDAY_AND_DAY.format(calendarDate(first))
    : calendarDay(first, { year: !sameYear });
  return `${start.replace(',', '')} to ${calendarDay(last)}`;
}
