// Desktop notifications for mentions and direct messages while the tab is
// hidden, once the person has allowed them. The server decides who is
// notified (stream-notify-user <uid>/notification).
import { navigate } from './router.js';

const PREFIX = { c: 'channel', p: 'group', d: 'direct' };

export function notify(n) {
  if (!n || !document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
  const p = n.payload || {};
  try {
    const note = new Notification(n.title || 'Parley', {
      body: n.text || (p.message && p.message.msg) || '',
      tag: p._id,
      icon: p.sender && p.sender.username ? '/avatar/' + encodeURIComponent(p.sender.username) : undefined,
    });
    note.onclick = () => {
      window.focus();
      const key = p.type === 'd' ? p.rid : p.name;
      if (!key) return;
      let url = '/' + (PREFIX[p.type] || 'channel') + '/' + encodeURIComponent(key);
      if (p.tmid) url += '/thread/' + encodeURIComponent(p.tmid);
      navigate(url + '?msg=' + encodeURIComponent(p._id));
      note.close();
    };
  } catch { /* some browsers allow notifications only from a service worker */ }
}
