// Start-up: log in (or resume the stored token), draw the shell, connect
// the websocket, follow the route.
import { h, clear, toast } from './dom.js';
import { get, post, auth, setUnauthorizedHandler } from './api.js';
import { DDP } from './ddp.js';
import { state, changed, loadSettings, loadPermissions, refreshRooms, roomName } from './state.js';
import { parse, navigate, onRoute, roomPath, interceptLinks } from './router.js';
import { renderLogin } from './login.js';
import { renderSidebar, jumpDialog } from './sidebar.js';
import { RoomView } from './room.js';
import { notify } from './notify.js';

const app = document.getElementById('app');
let view = null;
let shell = null;

setUnauthorizedHandler(() => logout(false));

async function boot() {
  interceptLinks(document.body);
  if (!auth.token) return showLogin();
  auth.cookies();
  try {
    // Everything the first screen needs is asked for at once, the
    // history of the room in the address included.
    prefetchHistory(parse());
    const [me] = await Promise.all([get('me'), loadSettings(), refreshRooms()]);
    await start(me, true);
  } catch (e) {
    if (e.status === 401) return showLogin();
    clear(app).append(h('p', { role: 'alert', class: 'fatal' }, 'The server cannot be reached. ', h('button', { type: 'button', onclick: () => location.reload() }, 'Retry')));
  }
}

function prefetchHistory(r) {
  if (r.page !== 'room' || r.msg) return;
  const fam = { c: 'channels', p: 'groups', d: 'dm' }[r.t];
  const by = r.t === 'd' ? { roomId: r.key } : { roomName: r.key };
  state.prefetch = {
    t: r.t, key: r.key, started: new Date(),
    messages: get(fam + '.history', { ...by, count: 50 }).then((x) => x.messages || null, () => null),
  };
}

function showLogin() {
  document.body.dataset.connection = 'offline';
  if (location.pathname !== '/login') history.replaceState(null, '', '/login' + (location.pathname !== '/' && location.pathname !== '/home' ? '?next=' + encodeURIComponent(location.pathname + location.search) : ''));
  renderLogin(app, async (me) => {
    const next = new URLSearchParams(location.search).get('next');
    history.replaceState(null, '', next && next.startsWith('/') && !next.startsWith('//') ? next : '/home');
    await loadSettings().catch(() => {});
    start(me);
  });
}

async function start(me, roomsRead) {
  state.me = { _id: me._id, username: me.username, name: me.name, roles: me.roles || [] };
  const ddp = new DDP(auth.token);
  state.ddp = ddp;
  const status = h('div', { role: 'status', class: 'connection', hidden: true });
  ddp.on('status', (online) => {
    document.body.dataset.connection = online ? 'online' : 'offline';
    status.hidden = online;
    status.textContent = online ? '' : 'Offline, reconnecting…';
  });
  ddp.on('resumed', () => refreshRooms().catch(() => {}));
  ddp.on('loggedout', () => logout(false));
  ddp.start();

  const sidebar = h('aside', { id: 'sidebar', class: 'sidebar' });
  const main = h('main', { class: 'main', id: 'main' });
  shell = h('div', { class: 'shell' }, sidebar, main);
  clear(app).append(status, shell);
  main.addEventListener('click', () => document.body.classList.remove('show-rooms'));

  if (!roomsRead) await refreshRooms();
  renderSidebar(sidebar, { onLogout: () => logout(true) });
  const uid = state.me._id;
  ddp.subscribe('stream-notify-user', uid + '/subscriptions-changed', (kind, sub) => {
    if (kind === 'removed') state.subs.delete(sub.rid);
    else {
      state.subs.set(sub.rid, sub);
      if (view && view.rid === sub.rid) {
        view.sub = sub;
        // An open, visible room is read as messages come.
        if (sub.unread && !document.hidden) view.markReadSoon();
      }
    }
    changed('rooms');
  });
  ddp.subscribe('stream-notify-user', uid + '/rooms-changed', (kind, room) => {
    if (kind === 'removed') state.rooms.delete(room._id);
    else state.rooms.set(room._id, room);
    changed('rooms');
  });
  ddp.subscribe('stream-notify-user', uid + '/notification', (n) => notify(n));
  ddp.subscribe('stream-notify-user', uid + '/message', (m) => { if (m && m.msg) toast(m.msg, 'error'); });

  onRoute(route);
  route(parse());
  document.addEventListener('visibilitychange', () => { if (!document.hidden && view) view.markRead(); });
}

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k' && state.me) {
    e.preventDefault();
    jumpDialog();
  }
});

async function route(r) {
  if (!state.me) return;
  if (r.page === 'login' || r.page === 'root') return navigate('/home', { replace: true });
  if (r.page !== 'room') return showHome();
  const found = await resolve(r);
  if (!found) return showNotFound(r);
  const { room, sub } = found;
  document.body.classList.remove('show-rooms');
  if (view && view.rid === room._id) { view.route(r); return; }
  if (view) view.close();
  state.openRid = room._id;
  changed('open');
  document.body.classList.remove('show-rooms');
  view = new RoomView(document.getElementById('main'), room, sub, r);
  if (!sub && room.t !== 'c') return;
  // A DM opened by username gets its canonical address.
  if (r.t === 'd' && r.key !== room._id) history.replaceState(null, '', roomPath({ t: 'd', rid: room._id }) + location.search);
}

// resolve finds the room a route names: my subscription by name (or id
// for DMs); a public channel I have not joined; or, for /direct/<username>,
// the DM with that user, opened if need be.
async function resolve(r) {
  const subs = [...state.subs.values()];
  let sub = r.t === 'd'
    ? state.subs.get(r.key) || subs.find((s) => s.t === 'd' && s.name === r.key)
    : subs.find((s) => s.t === r.t && s.name === r.key) || subs.find((s) => s.name === r.key);
  if (sub) return { sub, room: state.rooms.get(sub.rid) || { _id: sub.rid, t: sub.t, name: sub.name, fname: sub.fname } };
  try {
    if (r.t === 'd') {
      const d = await post('dm.create', { username: r.key });
      await refreshRooms();
      sub = state.subs.get(d.room._id || d.room.rid);
      return { sub, room: state.rooms.get(d.room._id || d.room.rid) || d.room };
    }
    const info = await get('rooms.info', { roomName: r.key });
    return { sub: null, room: info.room };
  } catch {
    return null;
  }
}

function showHome() {
  if (view) { view.close(); view = null; }
  state.openRid = null;
  changed('open');
  const main = document.getElementById('main');
  const toggle = h('button', { type: 'button', class: 'rooms-toggle', 'aria-label': 'Rooms' }, '☰');
  toggle.addEventListener('click', (e) => { e.stopPropagation(); document.body.classList.toggle('show-rooms'); });
  const recent = [...state.subs.values()].sort((a, b) => (b.ls || b.ts || '').localeCompare(a.ls || a.ts || ''))[0];
  clear(main).append(h('section', { class: 'home' },
    h('header', { class: 'room-header' }, toggle, h('h1', null, 'Home')),
    h('div', { class: 'home-body' },
      h('p', null, 'Welcome to Parley, ', state.me.name || state.me.username, '.'),
      recent ? h('p', null, 'Continue in ', h('a', { href: roomPath(recent) }, roomName(recent, state.rooms.get(recent.rid))), '.') : null,
      h('p', { class: 'muted' }, 'Ctrl+K jumps to a room by name.'))));
  document.body.dataset.ready = '1';
}

function showNotFound(r) {
  if (view) { view.close(); view = null; }
  state.openRid = null;
  changed('open');
  clear(document.getElementById('main')).append(h('section', { class: 'home' },
    h('header', { class: 'room-header' }, h('h1', null, 'Room not found')),
    h('div', { class: 'home-body' }, h('p', null, 'There is no room “' + r.key + '” that you can see.'), h('p', null, h('a', { href: '/home' }, 'Go home')))));
}

async function logout(callServer) {
  if (callServer) await post('logout').catch(() => {});
  if (state.ddp) state.ddp.stop();
  auth.clear();
  location.assign('/login');
}

// Permissions decide which actions are offered; they are read once the
// first screen is up, not before it.
const loadLater = () => { if (state.me) loadPermissions(); else setTimeout(loadLater, 300); };
setTimeout(loadLater, 200);

boot();
