// The frame of every signed-in page: the header bar (product name,
// workspace switcher, user menu with sign out) and the navigation.
// frame(current) asks GET /api/session; without a session it goes to
// the sign-in page.  It resolves to the session's JSON (user,
// workspace, workspaces, csrf_token) for the page to use.
import { api, setCsrf, el, ApiError } from './api.js';

const NAV = [
	['index.html', 'Overview'],
	['inbox.html', 'Inbox'],
	['channels.html', 'Channels'],
	['events.html', 'Events'],
	['dead-letters.html', 'Dead letters'],
	['unhandled.html', 'Unhandled'],
	['rules.html', 'Rules', 'admin'],
	['users.html', 'Users', 'owner'],
	['audit.html', 'Audit log', 'admin'],
	['destinations.html', 'Destinations', 'admin'],
	['account.html', 'My account'],
];
const RANK = { agent: 1, admin: 2, owner: 3 };
const BADGE_MAX = 99;

// navBadge(n): the navigation's Inbox link shows n conversations with
// unread messages (none when 0; "99+" above BADGE_MAX), drawn by CSS
// from data-badge so that the link's text stays "Inbox".
export function navBadge(n) {
	const a = document.querySelector('nav a[href="inbox.html"]');
	if (!a) return;
	if (n > 0) {
		a.dataset.badge = n > BADGE_MAX ? `${BADGE_MAX}+` : String(n);
		a.setAttribute('aria-label', `Inbox, ${a.dataset.badge} unread conversation${n === 1 ? '' : 's'}`);
	} else {
		delete a.dataset.badge;
		a.removeAttribute('aria-label');
	}
	showCurrent(a.parentElement);
}

// At phone width the navigation is one row that scrolls sideways:
// bring the current page's link into view (again when the Inbox's
// badge widens the row).
function showCurrent(nav) {
	const cur = nav && nav.querySelector('a[aria-current=page]');
	if (!cur || nav.scrollWidth <= nav.clientWidth) return;
	const n = nav.getBoundingClientRect(), c = cur.getBoundingClientRect();
	if (c.right > n.right || c.left < n.left) nav.scrollLeft += c.left - n.left - (n.width - c.width) / 2;
}

// The current workspace's role of the session's user.
export function role(s) {
	const w = s && s.workspace;
	return (w && w.role) || (s && s.user && s.user.role) || 'agent';
}

// allowed(s, least): whether the session's role is at least `least`.
export function allowed(s, least) {
	return (RANK[role(s)] || 0) >= (RANK[least] || 0);
}

// Whether the signed-in person is the install's operator (the only one
// who may connect an account by hand: POST /api/channels).
export function operator(s) {
	return !!(s && s.user && s.user.operator === true);
}

function toLogin() {
	const back = location.pathname.replace(/^\//, '') + location.search;
	location.replace(`login.html?next=${encodeURIComponent(back)}`);
}

function workspaceSwitcher(s) {
	const list = Array.isArray(s.workspaces) ? s.workspaces : [];
	const cur = s.workspace && s.workspace.id;
	const box = el('div', { className: 'workspace' });
	if (list.length <= 1) {
		const w = s.workspace || list[0];
		if (w) box.append(el('span', { className: 'badge', id: 'workspace-name' }, w.name || ''));
		return box;
	}
	const sel = el('select', { id: 'workspace', 'aria-label': 'Workspace' });
	for (const w of list) {
		const o = el('option', { value: String(w.id) }, w.name || '');
		if (w.id === cur) o.selected = true;
		sel.append(o);
	}
	sel.addEventListener('change', async () => {
		sel.disabled = true;
		try {
			const n = await api('POST', 'session/workspace', { workspace: Number(sel.value) });
			if (n && n.csrf_token) setCsrf(n.csrf_token);
			location.reload();
		} catch (e) {
			sel.disabled = false;
			alertTop(e.message);
		}
	});
	box.append(el('label', { htmlFor: 'workspace' }, 'Workspace'), sel);
	return box;
}

function alertTop(text) {
	const a = document.getElementById('frame-alert');
	if (a) { a.textContent = text; a.hidden = !text; }
}

function userMenu(s) {
	const u = s.user || {};
	const wrap = el('div', { className: 'usermenu' });
	const btn = el('button', {
		type: 'button', className: 'btn btn-secondary btn-small', id: 'user-menu',
		'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': 'user-menu-list',
	}, el('span', { className: 'clip' }, u.name || u.email || 'Account'));
	const menu = el('div', { className: 'menu', id: 'user-menu-list', hidden: true },
		el('div', { className: 'who' },
			el('strong', { id: 'user-name' }, u.name || ''),
			el('div', { className: 'muted small', id: 'user-email' }, u.email || ''),
			el('div', { className: 'small' }, el('span', { className: 'badge', id: 'user-role' }, role(s)))),
		el('a', { href: 'account.html' }, 'My account'),
		el('button', { type: 'button', id: 'sign-out' }, 'Sign out'));
	const set = (open) => {
		menu.hidden = !open;
		btn.setAttribute('aria-expanded', String(open));
	};
	btn.addEventListener('click', () => set(menu.hidden));
	document.addEventListener('click', (e) => { if (!wrap.contains(e.target)) set(false); });
	wrap.addEventListener('keydown', (e) => { if (e.key === 'Escape') { set(false); btn.focus(); } });
	menu.querySelector('#sign-out').addEventListener('click', async () => {
		try {
			await api('DELETE', 'session');
		} catch (e) {
			if (!(e instanceof ApiError) || e.status !== 401) { alertTop(e.message); return; }
		}
		location.replace('login.html');
	});
	wrap.append(btn, menu);
	return wrap;
}

// frame(current): draw the frame around the page's <main>; current is
// the page's file name.  Resolves to the session, or never (when it
// leaves for the sign-in page, or says on the page that the API
// failed).
export async function frame(current) {
	let s;
	try {
		s = await api('GET', 'session');
	} catch (e) {
		if (e.status === 401) { toLogin(); return new Promise(() => {}); }
		alertTop(`The dashboard cannot start: ${e.message}. Reload the page in a minute; if it persists, tell whoever runs this hubgate.`);
		return new Promise(() => {});
	}
	setCsrf(s.csrf_token);
	const header = el('header', { className: 'topbar' },
		el('a', { className: 'brand', href: 'index.html' },
			el('img', { src: 'img/logo.svg', alt: '' }), 'hubgate'),
		workspaceSwitcher(s),
		el('span', { className: 'spacer' }),
		userMenu(s));
	const nav = el('nav', { className: 'nav', 'aria-label': 'Main' });
	for (const [href, label, least] of NAV) {
		if (least && !allowed(s, least)) continue;
		nav.append(el('a', { href, 'aria-current': href === current ? 'page' : undefined }, label));
	}
	const main = document.querySelector('main');
	document.body.insertBefore(nav, main);
	// The Inbox's badge: conversations with unread messages.
	api('GET', `conversations?unread=1&limit=${BADGE_MAX + 1}`)
		.then((d) => navBadge((d.conversations || []).length)).catch(() => {});
	document.body.insertBefore(header, nav);
	document.body.classList.remove('loading');
	showCurrent(nav);
	window.addEventListener('resize', () => showCurrent(nav));
	return s;
}
