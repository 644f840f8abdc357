// Helpers of the pages with tables.
import { el } from './api.js';

// items(data, key): the array the API answered, bare or under key.
export function items(data, key) {
	if (Array.isArray(data)) return data;
	return data && Array.isArray(data[key]) ? data[key] : [];
}

// fill(tbody, rows, columns, empty): one row per item, cells from
// columns (functions of the item answering text or a node).
export function fill(tbody, rows, columns, empty) {
	tbody.replaceChildren();
	if (!rows.length) {
		tbody.append(el('tr', {}, el('td', { className: 'empty', colSpan: columns.length }, empty)));
		return;
	}
	for (const r of rows)
		tbody.append(el('tr', {}, ...columns.map((c) => el('td', {}, c(r)))));
}
