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
	stack(tbody);
}

// stack(tbody): at phone width the table's rows become cards, each
// cell labelled with its column's heading (app.css, table.stack).
export function stack(tbody) {
	const table = tbody.closest('table');
	if (!table || !table.tHead) return;
	table.classList.add('stack');
	const heads = [...table.tHead.querySelectorAll('th')].filter((th) => !th.hidden)
		.map((th) => th.textContent.trim());
	for (const tr of tbody.rows)
		[...tr.cells].forEach((td, i) => {
			if (!td.classList.contains('empty') && heads[i]) td.dataset.label = heads[i];
		});
}
