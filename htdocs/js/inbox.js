// The inbox: the workspace's conversations (GET /api/conversations,
// newest activity first, with filters), one conversation's thread
// (GET /api/conversations/ID/messages, oldest first), the reply box
// (POST .../messages) within what the conversation's window allows,
// and assign / close / reopen / read (POST .../ACTION).  New messages
// and receipts appear by polling with cursors: the list asks only for
// conversations that moved since the newest it has (since=), the
// thread only for messages after its cursor and for the sends still
// on their way.  Every text from a message is put in with textContent;
// the only links are ones this page builds.  Each kind of message is
// drawn in its own way: postbacks and quick-reply choices as the
// button's title, locations as coordinates with a map link, replies
// with the text they answer, reactions under the message they react to
// (the API folds them and lists the message again when they change),
// unsent messages marked, echoes of replies made in Meta's own inbox
// marked, and the delivery tick of each send.  The template picker is
// templates.js.
import { api, el, showAlert } from './api.js';
import { frame, navBadge, allowed } from './frame.js';
import { contactTools } from './contact.js';
import { composeSetup, composeRefresh, reactionNode } from './compose.js';
import { setupTemplates, showTemplates } from './templates.js';
import { attachmentNode, hasPending, pictureNode } from './media.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2500;
const PLATFORM = { messenger: 'Messenger', instagram: 'Instagram', whatsapp: 'WhatsApp' };
// The platforms' text limits: characters (Instagram: bytes of UTF-8).
const LIMIT = { messenger: 2000, instagram: 1000, whatsapp: 4096 };
const WINDOW = {
	open: ['Within 24 hours of the person\'s last message: any reply may be sent.', 'alert-ok'],
	human_agent: ['24 hours to 7 days after the person\'s last message: only a person may answer (sent with Meta\'s HUMAN_AGENT tag).', 'alert-warn'],
	template_only: ['More than 24 hours since the person\'s last message: WhatsApp allows only an approved template until they write again.', 'alert-warn'],
	closed: ['More than 7 days since the person\'s last message: Meta allows no reply until they write again.', 'alert-error'],
};
const TICK = {
	queued: ['…', 'queued'], sending: ['…', 'sending'], unknown: ['…', 'waiting for Meta to confirm'],
	sent: ['✓', 'sent'], delivered: ['✓✓', 'delivered'], read: ['✓✓', 'read'], failed: ['⚠', 'failed'],
};
const FINAL = new Set(['read', 'failed', 'received']);

const s = await frame('inbox.html');
const me = s && s.user ? s.user.id : 0;
const convs = new Map();		// id -> conversation as listed
let next = null;			// the list's cursor of older ones
let newest = 0;				// the newest last_message_at listed
let open = null;			// the conversation shown
let thread = null;			// { id, cursor, msgs: Map, window }
let channels = [];
let toolsFor = 0;			// the conversation contactTools was drawn for
// Groups of people (GET /api/groups): id -> name, for the filter and
// the conversations' labels.
const groups = new Map();
try {
	for (const g of (await api('GET', 'groups')).groups || []) {
		groups.set(g.id, g.name);
		$('f-groups').append(el('option', { value: `group:${g.id}` }, g.name));
		$('t-group').append(el('option', { value: String(g.id) }, g.name));
	}
	$('f-groups').hidden = !groups.size;
	$('t-group-box').hidden = !groups.size;
} catch { /* no groups to offer */ }

const alertBox = $('alert');
const fail = (e) => showAlert(alertBox, e.message);

function filters() {
	const p = new URLSearchParams();
	if ($('f-status').value) p.set('status', $('f-status').value);
	if ($('f-channel').value) p.set('channel', $('f-channel').value);
	const as = $('f-assigned').value;
	if (as.startsWith('group:')) p.set('group', as.slice(6));
	else if (as) p.set('assigned', as);
	if ($('f-unread').checked) p.set('unread', '1');
	if ($('f-q').value.trim()) p.set('q', $('f-q').value.trim());
	return p;
}

function nameOf(c) {
	const n = c.contact && c.contact.name;
	return n || `${PLATFORM[c.platform] || 'Someone'} contact ${c.contact ? c.contact.id : ''}`.trim();
}

function ago(ms) {
	if (!ms) return '';
	const d = new Date(ms);
	const today = new Date();
	return d.toDateString() === today.toDateString()
		? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString();
}

// The list, in order, one <li> per conversation (reused when redrawn).
const items = new Map();
function drawList() {
	const list = [...convs.values()].sort((a, b) => (b.last_message_at - a.last_message_at) || (b.id - a.id));
	const ul = $('convs');
	const nodes = list.map((c) => {
		let li = items.get(c.id);
		if (!li) {
			li = el('li', {});
			items.set(c.id, li);
		}
		const btn = el('button', { type: 'button', className: 'conv', 'data-id': String(c.id),
			'aria-current': open && open.id === c.id ? 'true' : undefined },
		el('span', { className: 'conv-name clip' }, pictureNode(c.contact), nameOf(c)),
		el('span', { className: 'conv-time muted small' }, ago(c.last_message_at)),
		el('span', { className: 'conv-meta small' },
			el('span', { className: `badge badge-${c.platform}` }, PLATFORM[c.platform] || c.platform),
			c.status !== 'open' ? el('span', { className: 'badge badge-off' }, c.status) : null,
			c.assigned_user_id === me && me ? el('span', { className: 'muted' }, 'mine') : null,
			groups.has(c.assigned_group_id) ? el('span', { className: 'muted conv-group' }, groups.get(c.assigned_group_id)) : null),
		c.escalation ? el('span', { className: 'conv-escalation small muted clip' }, c.escalation.reason) : null,
		c.unread > 0 ? el('span', { className: 'unread', 'aria-label': `${c.unread} unread` }, String(c.unread)) : null);
		btn.addEventListener('click', () => show(c.id, true));
		li.replaceChildren(btn);
		return li;
	});
	ul.replaceChildren(...nodes);
	$('convs-empty').hidden = list.length > 0;
	$('more').hidden = !next;
	navBadge(list.reduce((n, c) => n + (c.unread > 0 ? 1 : 0), 0));
}

function merge(list) {
	for (const c of list) {
		convs.set(c.id, c);
		if (c.last_message_at > newest) newest = c.last_message_at;
		if (open && open.id === c.id) { open = c; drawHead(); }
	}
}

async function loadList(more) {
	const p = filters();
	if (more && next) p.set('cursor', next);
	const d = await api('GET', `conversations?${p}`);
	if (!more) { convs.clear(); items.clear(); newest = 0; }
	next = d.next || null;
	merge(d.conversations || []);
	drawList();
}

// --- the thread
// What a message says, as a node or text: each kind in its own way.
function body(m) {
	const t = m.text || '';
	if (m.unsent) return t ? el('span', { className: 'msg-kept', title: 'The workspace keeps what people take back (retention settings)' }, `This message was unsent. It said: ${t}`) : 'This message was unsent.';
	switch (m.kind) {
	case 'text': return m.payload ? el('span', { className: 'msg-choice' }, 'Chose the quick reply ',
		el('span', { className: 'chip', title: `payload ${m.payload}` }, t || m.payload)) : t;
	case 'template': return el('span', {}, el('span', { className: 'chip', title: 'an approved WhatsApp template' }, 'Template'), ' ', t);
	case 'postback': return el('span', {}, 'Tapped the button ', el('span', { className: 'chip', title: m.payload ? `payload ${m.payload}` : undefined }, t || m.payload || 'a button'));
	case 'interactive': case 'button': return el('span', {}, 'Chose ', el('span', { className: 'chip', title: m.payload ? `payload ${m.payload}` : undefined }, t || m.payload || 'an option'));
	case 'location': return locationNode(m);
	case 'image': case 'sticker': return t ? `Image: ${t}` : 'An image';
	case 'attachment': return t || 'An attachment';
	case 'audio': case 'video': case 'document': case 'file': return `${m.kind[0].toUpperCase()}${m.kind.slice(1)}${t ? `: ${t}` : ''}`;
	default: return detailBody(m) || t || `A message of a kind hubgate does not show yet (${m.kind || 'unknown'})`;
	}
}

// --- Meta's events in full: kinds beyond plain messages, edits (with
// their history), who answered an echo, standby copies, the referral
// (ad, link) a conversation came from and who owns its thread.
const AUTHOR = { page_inbox: 'sent from Meta inbox', business_app: 'sent from the WhatsApp Business app', hubgate: 'sent by hubgate' };
function authorLabel(m) {
	if (typeof m.author !== 'string') return 'sent from Meta inbox';
	if (AUTHOR[m.author]) return AUTHOR[m.author];
	return m.author.startsWith('app:') ? `sent by another app (${m.author.slice(4)})` : 'sent from Meta inbox';
}
function detailBody(m) {
	const t = m.text || '';
	switch (m.kind) {
	case 'call': return el('span', { className: 'msg-call' }, t || 'A call');
	case 'order': return `Order${t ? `: ${t}` : ''}`;
	case 'contacts': return `Shared contact${t ? `: ${t}` : ' details'}`;
	case 'system': return el('span', { className: 'muted' }, t || 'A change of the person\'s account');
	case 'unsupported': return `Meta could not deliver this message${t ? `: ${t}` : ''}`;
	default: return null;
	}
}
function detailMeta(m, meta) {
	if (m.edited && !m.unsent) {
		const before = (m.edits || []).slice(0, -1).map((e) => e.text || '').filter(Boolean);
		meta.append(' · ', el('span', { className: 'msg-edited', title: before.length ? `Before: ${before.join(' → ')}` : 'edited' }, 'edited'));
	}
	if (m.standby) meta.append(' · ', el('span', { className: 'msg-standby', title: 'Arrived while another app owned the conversation' }, 'while another app owned it'));
	if (m.history) meta.append(' · ', el('span', { className: 'msg-history', title: 'From the WhatsApp Business app\'s chat history, before this number joined hubgate' }, 'history'));
}
function drawDetail(d) {
	let box = $('t-referral');
	if (!box) {
		box = el('div', { id: 't-referral', className: 'alert alert-info small', role: 'status' });
		$('window').after(box);
	}
	const r = d.referral && typeof d.referral === 'object' ? d.referral : null;
	const parts = [];
	if (r) {
		const ad = r.ads_context_data && typeof r.ads_context_data === 'object' ? r.ads_context_data : {};
		const title = [ad.ad_title, r.headline].find((x) => typeof x === 'string' && x);
		const src = [r.source, r.source_type].find((x) => typeof x === 'string' && x);
		parts.push(`Came from ${src ? String(src).toLowerCase().replace(/_/g, ' ') : 'a referral'}${title ? ` “${title}”` : ''}${typeof r.ref === 'string' && r.ref ? ` (ref ${r.ref})` : ''}`);
	}
	const oi = d.optin && typeof d.optin === 'object' ? d.optin : null;
	if (oi) {
		const until = Number.isSafeInteger(oi.token_expiry_timestamp) ? ` until ${new Date(oi.token_expiry_timestamp).toLocaleDateString()}` : '';
		const topic = [oi.title, oi.payload, oi.ref].find((x) => typeof x === 'string' && x);
		parts.push(`Opted in${oi.type === 'notification_messages' ? ' to notifications' : ''}${topic ? ` “${topic}”` : ''}${until}`);
	}
	const o = d.thread_owner;
	if (o && o.owner === 'other') parts.push(`Another app owns this conversation${typeof o.app_id === 'string' ? ` (${o.app_id === '263902037430900' || o.app_id === '1217981644879628' ? 'Meta inbox' : `app ${o.app_id}`})` : ''}`);
	// Conversation Routing with Meta's inbox: a call on its way, a refusal.
	const tc = d.thread_control && typeof d.thread_control === 'object' ? d.thread_control : null;
	if (tc && tc.pending) parts.push(tc.pending === 'pass_thread_control' ? 'Passing the conversation to Meta inbox…' : 'Taking the conversation back from Meta inbox…');
	if (tc && typeof tc.error === 'string' && tc.error) parts.push(`Meta refused to move the conversation: ${tc.error}`);
	box.textContent = parts.join(' · ');
	box.hidden = !parts.length;
}

// A location: its name and coordinates as text, and a map link built
// here from the numbers only.
function locationNode(m) {
	const l = m.location;
	if (!l || !Number.isFinite(l.latitude) || !Number.isFinite(l.longitude)) return m.text ? `Location: ${m.text}` : 'A location';
	const lat = l.latitude.toFixed(6).replace(/\.?0+$/, '');
	const lon = l.longitude.toFixed(6).replace(/\.?0+$/, '');
	return el('span', {}, 'Location: ', l.name ? `${l.name} ` : '',
		el('a', { className: 'msg-map', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`, target: '_blank', rel: 'noopener noreferrer' }, `${lat}, ${lon}`),
		l.address ? ` · ${l.address}` : '');
}

function drawMsg(m) {
	const out = m.direction === 'out';
	const special = m.kind !== 'text' || m.unsent || m.payload;
	const li = el('li', { className: `msg ${out ? 'msg-out' : 'msg-in'}${special ? ' msg-special' : ''}${m.unsent ? ' msg-unsent' : ''}`, 'data-id': String(m.id), 'data-kind': m.kind });
	if (m.reply_to) {
		li.append(el('div', { className: 'msg-quote small' }, m.reply_to.text
			? el('span', {}, 'In reply to: ', el('q', {}, m.reply_to.text))
			: 'In reply to an earlier message'));
	}
	// Media (media.js): each stored item, after the text or caption.
	const atts = m.unsent || m.kind === 'location' ? [] : (m.attachments || []);
	// A button or generic template hubgate sent: its text, then each
	// card's title and subtitle and its buttons as labels.
	const cards = atts.filter((a) => a.type === 'template' && Array.isArray(a.buttons));
	if ((!atts.length || m.text) && !cards.some((a) => a.name)) li.append(el('div', { className: 'msg-text' }, atts.length ? m.text : body(m)));
	for (const a of atts) li.append(cards.includes(a) ? el('div', { className: 'msg-card', 'data-kind': 'template' },
		a.name ? el('strong', {}, a.name) : '', a.subtitle ? el('span', { className: 'msg-card-sub muted small' }, a.subtitle) : '',
		...a.buttons.map((b) => el('span', { className: 'btn-label' }, b))) : attachmentNode(a));
	const meta = el('div', { className: 'msg-meta small' }, el('time', {}, new Date(m.sent_at).toLocaleString()));
	if (out) {
		if (m.echo) meta.append(' · ', el('span', { className: 'msg-echo' }, authorLabel(m)));
		const ob = m.outbox ? m.outbox.state : null;
		const st = ob === 'sending' || ob === 'unknown' ? ob : m.status;
		const [sym, word] = TICK[st] || ['', st];
		meta.append(' ', el('span', { className: `tick tick-${st}`, title: word, 'data-status': st },
			`${sym} ${word}`));
		if (st === 'failed') li.append(el('div', { className: 'msg-error small' },
			m.error ? `Not sent: ${m.error}` : 'Not sent: Meta refused it.'));
	}
	detailMeta(m, meta);
	li.append(meta);
	const rx = (m.reactions || []).filter((r) => r.emoji);
	if (rx.length) {
		li.append(el('div', { className: 'msg-reactions', 'aria-label': 'Reactions' },
			...rx.map((r) => el('span', { className: 'reaction', title: r.direction === 'out' ? 'your reaction' : 'their reaction' }, r.emoji))));
	}
	li.append(reactionNode(m) || '');
	return li;
}

function drawHead() {
	const c = open;
	$('t-name').replaceChildren(pictureNode(c.contact) || '', nameOf(c));
	$('t-platform').textContent = PLATFORM[c.platform] || c.platform;
	$('t-status').textContent = c.status;
	// Automation: why it was handed over, and its last messages then.
	const esc = c.status === 'escalated' ? c.escalation : null;
	$('t-escalation').hidden = !esc;
	$('t-escalation').textContent = esc ? `Handed over: ${esc.reason}. ${esc.summary}` : '';
	$('t-assigned').textContent = (c.assigned_user_id == null ? 'Unassigned'
		: c.assigned_user_id === me ? 'Assigned to you' : 'Assigned to someone else')
		+ (groups.has(c.assigned_group_id) ? ` · group ${groups.get(c.assigned_group_id)}` : '');
	$('assign-me').hidden = c.assigned_user_id === me;
	$('unassign').hidden = c.assigned_user_id == null;
	$('t-group').value = groups.has(c.assigned_group_id) ? String(c.assigned_group_id) : '';
	$('close').hidden = c.status === 'closed';
	$('reopen').hidden = c.status !== 'closed';
	// Admins: export what is held about the person, or forget them.
	if (allowed(s, 'admin') && toolsFor !== c.id) {
		toolsFor = c.id;
		$('t-contact').replaceChildren(contactTools(c.contact, {
			alert: alertBox,
			done: async () => { $('back').click(); await loadList(false); },
		}));
	}
}

function drawWindow(w) {
	const [text, kind] = WINDOW[w] || ['', 'alert-warn'];
	$('window').textContent = text;
	$('window').className = `alert ${kind}`;
	$('window').dataset.window = w;
	$('reply').hidden = w === 'template_only' || w === 'closed';
	$('template').hidden = w !== 'template_only';
	if (w === 'template_only' && open) showTemplates(open);
	$('r-qr-box').hidden = !(open && open.platform === 'messenger');
	count();
	composeRefresh();
}

// Put messages into the thread: new ones at their place, known ones
// redrawn (their ticks moved).
function place(list) {
	const ol = $('thread');
	const stick = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 40;
	let added = false;
	for (const m of list) {
		const node = drawMsg(m);
		const old = thread.msgs.get(m.id);
		thread.msgs.set(m.id, m);
		if (old) { ol.querySelector(`li[data-id="${m.id}"]`).replaceWith(node); continue; }
		ol.append(node);
		added = true;
	}
	if (added && (stick || list.length === thread.msgs.size)) ol.scrollTop = ol.scrollHeight;
}

async function fetchThread(cursor) {
	const d = await api('GET', `conversations/${thread.id}/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
	drawDetail(d);
	if (thread.window !== d.window) { thread.window = d.window; drawWindow(d.window); }
	return d;
}

async function show(id, user) {
	const c = convs.get(id);
	if (!c) return;
	open = c;
	thread = { id, cursor: '', msgs: new Map(), window: '' };
	$('thread').replaceChildren();
	showAlert($('r-alert'), '');
	$('thread-pane').hidden = false;
	$('inbox').classList.add('has-thread');
	drawHead();
	drawList();
	if (user) history.replaceState(null, '', `?c=${id}`);
	// Everything, page by page.
	for (;;) {
		const d = await fetchThread(thread.cursor);
		if (!thread || thread.id !== id) return;
		place(d.messages || []);
		thread.cursor = d.next;
		if (!d.more) break;
	}
	markRead();
}

async function markRead() {
	if (!open || !(open.unread > 0)) return;
	try {
		const r = await api('POST', `conversations/${open.id}/read`, {});
		open.unread = r.unread;
		drawList();
	} catch (e) { fail(e); }
}

// --- polling
async function poll() {
	try {
		const p = filters();
		if (newest) p.set('since', String(newest));
		const d = await api('GET', `conversations?${p}`);
		// Only what changed: redrawing the same rows would take the
		// keyboard's focus away.
		const moved = (d.conversations || []).filter((c) => JSON.stringify(c) !== JSON.stringify(convs.get(c.id)));
		if (moved.length) { merge(moved); drawList(); }
		if (thread) {
			const id = thread.id;
			const d2 = await fetchThread(thread.cursor);
			if (thread && thread.id === id) {
				place(d2.messages || []);
				thread.cursor = d2.next;
				// Sends still on their way: from the oldest of them.
				const pend = [...thread.msgs.values()].filter((m) => (m.direction === 'out' && !FINAL.has(m.status)) || hasPending(m));
				if (pend.length) {
					const o = pend.reduce((a, b) => (a.sent_at < b.sent_at || (a.sent_at === b.sent_at && a.id < b.id) ? a : b));
					const d3 = await fetchThread(`${o.sent_at}.${o.id - 1}`);
					if (thread && thread.id === id) place((d3.messages || []).filter((m) => thread.msgs.has(m.id)));
				}
				if (document.visibilityState === 'visible') markRead();
			}
		}
		document.getElementById('main').dataset.polls = String(Number(document.getElementById('main').dataset.polls || 0) + 1);
	} catch (e) {
		fail(e);
	}
	setTimeout(poll, POLL_MS);
}

// --- the reply box
function count() {
	const t = $('r-text').value;
	const p = open ? open.platform : 'messenger';
	const limit = LIMIT[p] || 2000;
	const n = p === 'instagram' ? new TextEncoder().encode(t).length : [...t].length;
	const parts = Math.ceil(n / limit);
	$('r-count').textContent = `${n} / ${limit}${p === 'instagram' ? ' bytes' : ' characters'}` +
		(parts > 1 ? ` · sent as ${parts} messages` : '');
	$('r-count').classList.toggle('over', parts > 1);
}

// The idempotency key of the reply being sent: the same while the
// person sends the same thing again after an answer that never came
// (the server may have queued it), a new one for anything else.
let pending = null;
function replyKey(conv, body) {
	const json = JSON.stringify(body);
	if (!pending || pending.conv !== conv || pending.json !== json) {
		const b = crypto.getRandomValues(new Uint8Array(16));
		pending = { conv, json, key: `inbox-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}` };
	}
	return pending.key;
}

async function send(body, btn, done) {
	showAlert($('r-alert'), '');
	btn.disabled = true;
	try {
		const key = replyKey(thread.id, body);
		try {
			await api('POST', `conversations/${thread.id}/messages`, { ...body, idempotency_key: key });
		} catch (e) {
			// The server answered: nothing is in doubt.
			if (e.status) pending = null;
			throw e;
		}
		pending = null;
		done();
		const d = await fetchThread(thread.cursor);
		place(d.messages || []);
		thread.cursor = d.next;
	} catch (e) {
		showAlert($('r-alert'), e.status === 422 ? `Not sent: ${e.message}` : e.message);
	} finally {
		btn.disabled = false;
	}
}

$('r-text').addEventListener('input', count);
$('r-text').addEventListener('keydown', (e) => {
	if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $('reply').requestSubmit(); }
});
$('reply').addEventListener('submit', (e) => {
	e.preventDefault();
	const text = $('r-text').value;
	if (!text.trim()) { showAlert($('r-alert'), 'Write something first.'); return; }
	const body = { text };
	const qr = open.platform === 'messenger' ? $('r-qr').value.split(',').map((x) => x.trim()).filter(Boolean) : [];
	if (qr.length) body.quick_replies = qr;
	send(body, $('r-send'), () => { $('r-text').value = ''; $('r-qr').value = ''; count(); });
});
composeSetup({ conv: () => open, window: () => (thread ? thread.window : ''), send, alert: $('r-alert') });
setupTemplates(send);

async function act(what, body) {
	try {
		const r = await api('POST', `conversations/${open.id}/${what}`, body || {});
		Object.assign(open, { status: r.status, assigned_user_id: r.assigned_user_id, unread: r.unread });
		if ('assigned_group_id' in r) open.assigned_group_id = r.assigned_group_id;
		drawHead();
		drawList();
	} catch (e) { showAlert($('r-alert'), e.message); }
}
$('assign-me').addEventListener('click', () => act('assign', { user_id: 'me' }));
$('unassign').addEventListener('click', () => act('assign', { user_id: null }));
// The conversation's group: "No group" clears it.
$('t-group').addEventListener('change', () => {
	const v = $('t-group').value;
	act('assign', { group_id: v ? Number(v) : null });
});
$('close').addEventListener('click', () => act('close'));
$('reopen').addEventListener('click', () => act('reopen'));
$('back').addEventListener('click', () => {
	$('inbox').classList.remove('has-thread');
	$('thread-pane').hidden = true;
	const id = open && open.id;
	open = null; thread = null; toolsFor = 0;
	$('t-contact').replaceChildren();
	history.replaceState(null, '', 'inbox.html');
	drawList();
	const b = document.querySelector(`.conv[data-id="${id}"]`);
	if (b) b.focus();
});
$('filters').addEventListener('submit', (e) => { e.preventDefault(); loadList(false).catch(fail); });
$('more').addEventListener('click', () => loadList(true).catch(fail));

try {
	const d = await api('GET', 'channels');
	channels = (d && d.channels) || [];
	for (const c of channels)
		$('f-channel').append(el('option', { value: String(c.id) }, `${c.name || c.meta_id} (${c.platform})`));
} catch (e) { /* the filter stays "Any" */ }
try {
	await loadList(false);
	const want = Number(new URLSearchParams(location.search).get('c'));
	if (want && convs.has(want)) await show(want, false);
} catch (e) { fail(e); }
setTimeout(poll, POLL_MS);
