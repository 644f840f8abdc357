// The overview's two charts, drawn by uPlot (htdocs/vendor/uplot/,
// copied from its npm package by scripts/vendor.sh): events per hour as
// stacked bars, and the processing latency's histogram.  A chart is
// made once and then given new data (setData), so that a refresh does
// not draw the page from scratch; it follows its box's width.
import uPlot from '../vendor/uplot/uPlot.esm.js';

const AXIS = { stroke: '#4f5b69', grid: { stroke: '#e5e9ee', width: 1 }, ticks: { stroke: '#d5dbe2', width: 1 } };

function height(box) {
	return box.clientWidth < 500 ? 190 : 240;
}

// follow(u, box): keep the chart as wide as its box.
function follow(u, box) {
	let last = box.clientWidth;
	const ro = new ResizeObserver(() => {
		const w = box.clientWidth;
		if (w > 0 && w !== last) {
			last = w;
			u.setSize({ width: w, height: height(box) });
		}
	});
	ro.observe(box);
	return ro;
}

// stack(rows): the cumulative sums of rows (arrays of equal length),
// bottom first: what uPlot draws as stacked bars with bands.
function stack(rows) {
	const out = [];
	let below = null;
	for (const r of rows) {
		const c = r.map((v, i) => (below ? below[i] : 0) + (Number(v) || 0));
		out.push(c);
		below = c;
	}
	return out;
}

// StackedBars: hours on x (unix seconds), one series per key (keys:
// [[key, label, color]...]), stacked.  update(xs, rows) gives new data;
// rows[k][i] is key k's count in hour i.
export class StackedBars {
	constructor(box, keys, { hourly = true } = {}) {
		this.box = box;
		this.keys = keys;
		this.raw = keys.map(() => []);
		const bars = uPlot.paths.bars({ size: [0.8, 40], gap: 1 });
		const series = [{ label: 'Hour', value: (u, v) => (v == null ? '' : fmtHour(v, hourly)) }];
		for (const [k, label, color] of keys) {
			series.push({
				label,
				stroke: color,
				fill: color,
				width: 0,
				paths: bars,
				points: { show: false },
				value: (u, v, si, i) => (i == null ? '' : String(this.raw[si - 1][i] ?? 0)),
				_key: k,
			});
		}
		const opts = {
			width: Math.max(box.clientWidth, 200),
			height: height(box),
			series,
			bands: keys.slice(1).map((_, i) => ({ series: [i + 2, i + 1] })),
			// Half an hour either side, so that the first and the last bar
			// are whole.
			scales: { x: { time: true, range: (u, min, max) => [min - 1800, max + 1800] }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } },
			axes: [{ ...AXIS }, { ...AXIS, size: 48, values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : '')) }],
			legend: { live: true },
			cursor: { points: { show: false }, drag: { x: false, y: false } },
		};
		this.u = new uPlot(opts, [[], ...keys.map(() => [])], box);
		this.ro = follow(this.u, box);
	}

	update(xs, rows) {
		this.raw = rows;
		this.u.setData([xs, ...stack(rows)]);
	}

	destroy() {
		this.ro.disconnect();
		this.u.destroy();
	}
}

function fmtHour(sec, hourly) {
	const d = new Date(sec * 1000);
	const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
	return hourly ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${t}` : t;
}

// Histogram: one bar per bucket, labelled by labels[i].
export class Histogram {
	constructor(box, color) {
		this.box = box;
		this.labels = [];
		const opts = {
			width: Math.max(box.clientWidth, 200),
			height: height(box),
			series: [
				{ label: 'Latency', value: (u, v) => (v == null ? '' : (this.labels[v] ?? '')) },
				{
					label: 'Events', stroke: color, fill: color, width: 0,
					paths: uPlot.paths.bars({ size: [0.7, 60], align: 0 }),
					points: { show: false },
				},
			],
			scales: {
				x: { time: false, range: (u) => [-0.5, Math.max(0, this.labels.length - 1) + 0.5] },
				y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] },
			},
			axes: [
				{
					...AXIS,
					splits: () => this.labels.map((_, i) => i),
					// As many labels as fit (about 70 px each), the rest blank.
					values: (u, splits) => {
						const step = Math.max(1, Math.ceil(this.labels.length * 70 / Math.max(u.width - 60, 70)));
						return splits.map((i) => (i % step === 0 ? (this.labels[i] ?? '') : ''));
					},
					rotate: 0,
				},
				{ ...AXIS, size: 48, values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : '')) },
			],
			legend: { live: true },
			cursor: { points: { show: false }, drag: { x: false, y: false } },
		};
		this.u = new uPlot(opts, [[], []], box);
		this.ro = follow(this.u, box);
	}

	update(labels, counts) {
		this.labels = labels;
		this.u.setData([labels.map((_, i) => i), counts]);
	}

	destroy() {
		this.ro.disconnect();
		this.u.destroy();
	}
}
