// The last page of WhatsApp Embedded Signup's popup (/oauth/callback,
// oauth_signup.c): hand its result to the Channels page that opened it
// ({type: 'hubgate-signup', result: 'ok' with the one-time pick,
// 'cancel' or 'error' with a message}), to this site's origin only,
// then close.  Without an opener the page's text stays.
const p = document.getElementById('signup-done');
if (p && window.opener && !window.opener.closed) {
	const msg = { type: 'hubgate-signup', result: p.dataset.result || 'error' };
	if (p.dataset.pick) msg.pick = p.dataset.pick;
	if (p.dataset.message) msg.message = p.dataset.message;
	window.opener.postMessage(msg, window.location.origin);
	window.close();
}
