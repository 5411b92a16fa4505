// The time filter and list order the namespace and search views share. Kept in the address
// (on, from, to, sort) like the rest of a view's state; sent to the API as
// created_/updated_after/before and sort/order. Dates are UTC days, `to` included.

import { field, h } from './dom.js';

const ORDERS = {
  newest: ['updated', 'desc', 'Updated, newest first'],
  oldest: ['updated', 'asc', 'Updated, oldest first'],
  created: ['created', 'desc', 'Created, newest first'],
  'created-oldest': ['created', 'asc', 'Created, oldest first'],
};
const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v ?? '') ? v : '');

export function readTime(params) {
  const sort = params.get('sort');
  return { on: params.get('on') === 'created' ? 'created' : 'updated',
           from: day(params.get('from')), to: day(params.get('to')),
           sort: sort in ORDERS ? sort : 'newest' };
}

export const filtered = (t) => Boolean(t.from || t.to);

// The API's bounds: `after` includes its instant, `before` excludes it, so the day after `to`.
export function timeFields(t) {
  if (t.from && t.to && t.from > t.to) {
    throw new Error(`The time filter's From (${t.from}) is after its To (${t.to}).`);
  }
  const out = {};
  if (t.from) out[`${t.on}_after`] = t.from;
  if (t.to) out[`${t.on}_before`] = nextDay(t.to);
  return out;
}

export function orderFields(t) {
  const [sort, order] = ORDERS[t.sort];
  return { sort, order };
}

// Compares two memories in `t`'s order (merging lists from several scopes).
export function compareIn(t) {
  const [sort, order] = ORDERS[t.sort];
  const column = `${sort}_at`;
  return (a, b) => (order === 'asc' ? 1 : -1) * a[column].localeCompare(b[column]);
}

// Only what differs from the defaults goes into the address.
export function timeParams(t) {
  const out = {};
  if (filtered(t)) out.on = t.on;
  if (t.from) out.from = t.from;
  if (t.to) out.to = t.to;
  if (t.sort !== 'newest') out.sort = t.sort;
  return out;
}

// The controls; `read()` gives their state back. `onOrder` runs when the order changes.
export function timeControls(t, sortHint, onOrder) {
  const on = h('select', { name: 'on', value: t.on },
    h('option', { value: 'updated' }, 'Updated'), h('option', { value: 'created' }, 'Created'));
  const from = h('input', { type: 'date', name: 'from', value: t.from });
  const to = h('input', { type: 'date', name: 'to', value: t.to });
  const sort = h('select', { name: 'sort', value: t.sort, onchange: () => onOrder?.() },
    Object.entries(ORDERS).map(([value, [, , text]]) => h('option', { value }, text)));
  const read = () => ({ on: on.value, from: day(from.value), to: day(to.value),
                        sort: sort.value });
  const fields = [
    h('fieldset', { class: 'time-filter' }, h('legend', {}, 'Time (UTC days)'),
      field('On', on), field('From', from), field('To', to, 'Both days included')),
    field('Order', sort, sortHint)];
  return { fields, read };
}

function nextDay(value) {
  const d = new Date(`${value}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
