// The dashboard's one way to the API: JSON in and out, the session's
// CSRF token on every request that changes something, and errors as
// ApiError with the status and message of the API's
// {"error": {"status": N, "message": "..."}}.

let csrfToken = '';

// setCsrf(token): the token GET or POST /api/session answered.
export function setCsrf(token) {
	csrfToken = typeof token === 'string' ? token : '';
}

export class ApiError extends Error {
	constructor(status, message, retryAfter) {
		super(message);
		this.status = status;
		this.retryAfter = retryAfter;
	}
}

// api(method, path, body): the answer's JSON (null when it has none);
// throws ApiError for any status but 2xx, and for a network failure
// (status 0).
export async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && method !== 'HEAD' && csrfToken)
		headers['X-CSRF-Token'] = csrfToken;
	let r;
	try {
		r = await fetch(`/api/${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch (e) {
		throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
	}
	let data = null;
	const type = r.headers.get('Content-Type') || '';
	if (type.startsWith('application/json')) {
		try { data = await r.json(); } catch (e) { data = null; }
	}
	if (!r.ok) {
		const msg = data && data.error && typeof data.error.message === 'string'
			? data.error.message : `The server answered ${r.status}.`;
		const ra = Number.parseInt(r.headers.get('Retry-After') || '', 10);
		throw new ApiError(r.status, msg, Number.isFinite(ra) ? ra : undefined);
	}
	return data;
}

// el(tag, props, ...children): an element; props are set as
// properties (textContent, className, ...) or, for names with a dash
// and for aria/data attributes, with setAttribute.  Children are nodes
// or strings (text nodes).  Never HTML.
export function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (v === undefined || v === null || v === false) continue;
		if (k.includes('-')) e.setAttribute(k, v === true ? '' : String(v));
		else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
		else e[k] = v;
	}
	for (const c of children) {
		if (c === undefined || c === null || c === false) continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return e;
}

// showAlert(node, text, kind): text in an alert box ('error', 'ok').
export function showAlert(node, text, kind = 'error') {
	node.className = `alert alert-${kind}`;
	node.textContent = text;
	node.hidden = !text;
}

// when(iso): a date and time for people, or '' for none.
export function when(v) {
	if (v === undefined || v === null || v === '') return '';
	const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
	return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString();
}
