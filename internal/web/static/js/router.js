// Routes follow Rocket.Chat's web client, so that its permalinks and
// bookmarks open here: /home, /channel/:name, /group/:name, /direct/:rid,
// each with an optional /thread/:tmid, and ?msg=<id> (or ?jump=<id>).

const KINDS = { channel: 'c', group: 'p', direct: 'd' };
export const PREFIX = { c: 'channel', p: 'group', d: 'direct' };

export function parse(loc = location) {
  const parts = loc.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(loc.search);
  const msg = q.get('msg') || q.get('jump') || null;
  if (parts.length === 0) return { page: 'root' };
  if (parts[0] === 'login') return { page: 'login' };
  if (parts[0] === 'home') return { page: 'home' };
  const t = KINDS[parts[0]];
  if (t && parts[1]) {
    const r = { page: 'room', t, key: parts[1], tab: parts[2] || null, context: parts[3] || null, msg };
    if (r.tab === 'thread' && r.context) r.tmid = r.context;
    return r;
  }
  return { page: 'home' };
}

const listeners = new Set();
export function onRoute(fn) { listeners.add(fn); }

export function navigate(url, { replace = false } = {}) {
  if (url === location.pathname + location.search) { if (!replace) fire(); return; }
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  fire();
}

function fire() {
  const r = parse();
  for (const fn of listeners) fn(r);
}

window.addEventListener('popstate', fire);

// roomPath is a room's route: by name for channels and groups, by id for
// direct messages.
export function roomPath(room, tail = '') {
  const t = room.t;
  const key = t === 'd' ? room.rid || room._id : room.name;
  return '/' + (PREFIX[t] || 'channel') + '/' + encodeURIComponent(key) + tail;
}

// Same-origin links inside the app are followed without a reload.
export function interceptLinks(root) {
  root.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    const first = url.pathname.split('/')[1];
    if (!['channel', 'group', 'direct', 'home'].includes(first)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
