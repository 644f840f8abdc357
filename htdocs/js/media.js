// Media in the inbox: a message's attachments (from the API's
// "attachments": [{id, type, name, state, url, content_type}]) and a
// contact's picture ("picture": "/api/media/ID" or null).  Stored items
// are loaded from /api/media/ID only (never from Meta); pictures and
// stickers are thumbnails that open at full size, audio and video are
// players, files download links; an item still being fetched says
// "loading…", one that could not be fetched "media unavailable" (and
// an image that fails to load turns into that too: never a broken
// image).  Nothing from a message is put in as markup.
import { el } from './api.js';

const INLINE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const WORD = { image: 'Image', sticker: 'Sticker', video: 'Video', audio: 'Audio', file: 'File' };

// The words for an item that cannot be shown.
function unavailable(att) {
	return el('div', { className: 'att att-none muted small', 'data-state': 'unavailable' },
		`${WORD[att.type] || 'Media'}: media unavailable`);
}

// hasPending(m): whether message m has an item still being fetched
// (the inbox asks for it again until it is not).
export function hasPending(m) {
	return (m.attachments || []).some((a) => a.state === 'pending');
}

// attachmentNode(att): the node showing one attachment.
export function attachmentNode(att) {
	const word = WORD[att.type] || 'Attachment';
	if (att.state === 'pending')
		return el('div', { className: 'att att-pending muted small', 'data-state': 'pending' }, `${word}: loading…`);
	if (att.state !== 'ready' || !att.url) {
		// Not media hubgate fetches (a location, a share): its kind.
		if (att.state == null) return el('div', { className: 'att muted small' }, `${word}${att.name ? `: ${att.name}` : ''}`);
		return unavailable(att);
	}
	const ct = att.content_type || '';
	if ((att.type === 'image' || att.type === 'sticker') && INLINE.has(ct)) {
		const img = el('img', { className: 'att-thumb', src: att.url, alt: att.name || word, loading: 'lazy', decoding: 'async' });
		const a = el('a', { className: 'att att-image', href: att.url, target: '_blank', rel: 'noopener', title: 'Open at full size', 'data-state': 'ready' }, img);
		img.addEventListener('error', () => a.replaceWith(unavailable(att)), { once: true });
		return a;
	}
	if (att.type === 'audio' && ct.startsWith('audio/'))
		return el('div', { className: 'att', 'data-state': 'ready' },
			el('audio', { controls: true, preload: 'none', src: att.url }),
			el('a', { className: 'small', href: att.url, download: '' }, 'Download the audio'));
	if (att.type === 'video' && ct.startsWith('video/'))
		return el('div', { className: 'att', 'data-state': 'ready' },
			el('video', { className: 'att-video', controls: true, preload: 'none', src: att.url }),
			el('a', { className: 'small', href: att.url, download: '' }, 'Download the video'));
	return el('div', { className: 'att', 'data-state': 'ready' },
		el('a', { href: att.url, download: att.name || '' }, `${word}: ${att.name || 'download'}`),
		ct ? el('span', { className: 'muted small' }, ` (${ct})`) : null);
}

// pictureNode(contact): the contact's picture, or null when none.
export function pictureNode(contact) {
	if (!contact || !contact.picture) return null;
	const img = el('img', { className: 'avatar', src: contact.picture, alt: '', width: 24, height: 24, loading: 'lazy' });
	img.addEventListener('error', () => img.remove(), { once: true });
	return img;
}
