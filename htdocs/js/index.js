// The overview: the frame, and who is signed in to which workspace.
import { frame, role } from './frame.js';

const s = await frame('index.html');
const u = s.user || {};
document.getElementById('welcome').textContent = `Welcome, ${u.name || u.email || ''}`;
document.getElementById('ws-name').textContent = (s.workspace && s.workspace.name) || '';
document.getElementById('ws-role').textContent = role(s);
