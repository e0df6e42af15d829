// The sidebar: my rooms sorted by last activity, with unread and mention
// badges, and the buttons to create rooms, open DMs and jump by name.
import { h, clear } from './dom.js';
import { post } from './api.js';
import { state, watch, roomName, lastActivity, refreshRooms } from './state.js';
import { roomPath, navigate } from './router.js';
import { formDialog, openDialog } from './dialogs.js';

export function renderSidebar(el, { onLogout }) {
  const nav = h('nav', { 'aria-label': 'Rooms', class: 'rooms' });
  const notifyBtn = h('button', { type: 'button', class: 'link', hidden: !('Notification' in window) || Notification.permission !== 'default' }, 'Enable notifications');
  notifyBtn.addEventListener('click', async () => {
    await Notification.requestPermission();
    notifyBtn.hidden = Notification.permission !== 'default';
  });
  const me = h('div', { class: 'me' },
    h('img', { class: 'avatar', src: '/avatar/' + encodeURIComponent(state.me.username), alt: '', width: 28, height: 28 }),
    h('span', { class: 'me-name' }, state.me.username),
    h('button', { type: 'button', onclick: onLogout }, 'Log out'));
  const actions = h('div', { class: 'side-actions' },
    h('button', { type: 'button', onclick: createRoom }, 'Create room'),
    h('button', { type: 'button', onclick: newDM }, 'New direct message'),
    h('button', { type: 'button', onclick: jumpDialog, 'aria-keyshortcuts': 'Control+K', title: 'Ctrl+K' }, 'Jump to room'));
  clear(el).append(me, actions, nav, notifyBtn);

  const links = new Map(); // rid -> <a>
  const draw = () => {
    const rids = [...state.subs.keys()].filter((rid) => state.subs.get(rid).open !== false || rid === state.openRid);
    rids.sort((a, b) => lastActivity(b) - lastActivity(a));
    const seen = new Set();
    let i = 0;
    for (const rid of rids) {
      seen.add(rid);
      const sub = state.subs.get(rid);
      let a = links.get(rid);
      if (!a) {
        a = h('a', { 'data-rid': rid });
        links.set(rid, a);
      }
      const name = roomName(sub, state.rooms.get(rid));
      const href = roomPath(sub);
      if (a.getAttribute('href') !== href) a.setAttribute('href', href);
      const icon = sub.t === 'd' ? '@' : sub.t === 'p' ? '🔒' : '#';
      const unread = rid === state.openRid ? 0 : (sub.unread || 0);
      const mention = (sub.userMentions || 0) + (sub.groupMentions || 0) > 0 || (sub.t === 'd' && unread > 0);
      const key = [name, icon, unread, mention, rid === state.openRid].join('|');
      if (a.dataset.key !== key) {
        a.dataset.key = key;
        clear(a).append(
          h('span', { class: 'icon', 'aria-hidden': 'true' }, icon),
          h('span', { class: 'name' }, name));
        if (unread > 0) a.append(h('span', { class: 'badge' + (mention ? ' mention' : ''), 'aria-hidden': 'true' }, String(unread)));
        // The accessible name stays the room's name; the count is said
        // by the title.
        a.setAttribute('aria-label', name);
        if (unread > 0) a.title = name + ' (' + unread + ' unread)'; else a.removeAttribute('title');
        a.classList.toggle('unread', unread > 0 || !!sub.alert);
        if (rid === state.openRid) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
      }
      if (nav.children[i] !== a) nav.insertBefore(a, nav.children[i] || null);
      i++;
    }
    for (const [rid, a] of links) if (!seen.has(rid)) { a.remove(); links.delete(rid); }
    const total = rids.reduce((n, rid) => n + (rid === state.openRid ? 0 : state.subs.get(rid).unread || 0), 0);
    document.title = (total ? '(' + total + ') ' : '') + 'Parley';
  };
  watch((what) => { if (what === 'rooms' || what === 'open') draw(); });
  draw();
}

async function createRoom() {
  formDialog('Create room', [
    { name: 'name', label: 'Name', required: true },
    { name: 'private', label: 'Private', type: 'checkbox' },
  ], 'Create', async (v) => {
    const r = await post(v.private ? 'groups.create' : 'channels.create', { name: v.name });
    const room = r.channel || r.group;
    await refreshRooms();
    navigate(roomPath({ t: room.t, name: room.name, _id: room._id }));
  });
}

async function newDM() {
  formDialog('New direct message', [{ name: 'username', label: 'Username', required: true }], 'Open', async (v) => {
    const r = await post('dm.create', { username: v.username.replace(/^@/, '') });
    await refreshRooms();
    navigate('/direct/' + encodeURIComponent(r.room.rid || r.room._id));
  });
}

// jumpDialog: Ctrl+K. Filters my rooms by name as one types; Enter opens
// the first match.
export function jumpDialog() {
  if (document.querySelector('dialog.jump')) return;
  const input = h('input', { id: 'jump-input', type: 'search', autocomplete: 'off', 'aria-controls': 'jump-list' });
  const list = h('ul', { id: 'jump-list', class: 'jump-list', role: 'listbox', 'aria-label': 'Rooms' });
  const d = openDialog('Jump to room', h('div', null, h('label', { for: 'jump-input' }, 'Room name'), input, list), { className: 'jump' });
  let matches = [];
  const show = () => {
    const q = input.value.trim().toLowerCase().replace(/^[#@]/, '');
    matches = [...state.subs.values()]
      .map((s) => ({ s, name: roomName(s, state.rooms.get(s.rid)) }))
      .filter((x) => !q || x.name.toLowerCase().includes(q))
      .sort((a, b) => (a.name.toLowerCase().startsWith(q) ? 0 : 1) - (b.name.toLowerCase().startsWith(q) ? 0 : 1) || lastActivity(b.s.rid) - lastActivity(a.s.rid))
      .slice(0, 12);
    clear(list);
    matches.forEach((x, i) => {
      const li = h('li', { role: 'option', 'aria-selected': i === 0 ? 'true' : 'false' },
        h('a', { href: roomPath(x.s) }, x.name));
      li.addEventListener('click', (e) => { e.preventDefault(); d.close(); navigate(roomPath(x.s)); });
      list.append(li);
    });
  };
  input.addEventListener('input', show);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (matches[0]) { d.close(); navigate(roomPath(matches[0].s)); }
    }
  });
  show();
  input.focus();
}
