// The room view: header, message list, composer, typing line, and the
// thread and search panels. It listens to the room's streams while open.
import { h, clear, toast } from './dom.js';
import { get, post } from './api.js';
import { state, setting, hasPermission, roomName, changed } from './state.js';
import { navigate, roomPath } from './router.js';
import { MessageList } from './msglist.js';
import { renderMessage } from './message.js';
import { Composer } from './composer.js';
import { confirmDialog, emojiPicker, imageViewer } from './dialogs.js';

const PAGE = 50;
const FAMILY = { c: 'channels', p: 'groups', d: 'dm' };

// inMain: thread replies stay in the thread unless also sent to the room.
const inMain = (m) => !m.tmid || m.tshow;

export class RoomView {
  constructor(root, room, sub, route) {
    this.root = root;
    this.room = room;
    this.sub = sub;
    this.rid = room._id;
    this.t = room.t;
    this.off = [];
    this.typers = new Map(); // username -> timer
    this.thread = null;
    this.build();
    this.open(route);
  }

  get name() { return roomName(this.sub, this.room); }

  build() {
    const toggle = h('button', { type: 'button', class: 'rooms-toggle', 'aria-label': 'Rooms', 'aria-controls': 'sidebar', 'aria-expanded': 'false' }, '☰');
    toggle.addEventListener('click', (e) => {
      // The room's own click handler closes the sidebar; not this click.
      e.stopPropagation();
      const open = document.body.classList.toggle('show-rooms');
      toggle.setAttribute('aria-expanded', String(open));
    });
    const searchBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Search messages', title: 'Search messages' }, '🔍');
    searchBtn.addEventListener('click', () => this.openSearch());
    this.header = h('header', { class: 'room-header' }, toggle,
      h('img', { class: 'avatar', alt: '', width: 28, height: 28, src: this.t === 'd' ? '/avatar/' + encodeURIComponent(this.name) : '/avatar/room/' + encodeURIComponent(this.rid) }),
      h('div', { class: 'room-title' }, h('h1', null, this.name), this.room.topic ? h('p', { class: 'topic' }, this.room.topic) : null),
      searchBtn);
    this.list = new MessageList({
      label: 'Messages',
      ctx: (m) => this.ctx(m, false),
      grouping: () => setting('Message_GroupingPeriod', 300),
      loadOlder: () => this.loadOlder(),
    });
    this.typing = h('div', { role: 'status', class: 'typing', 'aria-live': 'polite' });
    this.composer = new Composer({
      rid: this.rid, t: this.t, label: 'Message',
      onSent: (m) => m && inMain(m) && this.list.upsert(m),
      lastOwn: () => this.list.last((m) => m.u && m.u._id === state.me._id && !m.t && this.canEdit(m)),
    });
    this.main = h('section', { class: 'room-main', 'aria-label': this.name }, this.header, this.list.el, this.composer.el, this.typing);
    this.composer.dropTarget(this.main);
    this.side = h('div', { class: 'room-side' });
    this.el = h('div', { class: 'room' }, this.main, this.side);
    clear(this.root).append(this.el);
    if (setting('FileUpload_Enabled', true) === false) this.composer.uploadBtn.hidden = true;
    if (this.room.ro && !hasPermission('post-readonly')) {
      this.composer.el.replaceWith(h('p', { class: 'readonly' }, 'This room is read only.'));
    }
    if (!this.sub) {
      const join = h('button', { type: 'button', class: 'primary' }, 'Join');
      join.addEventListener('click', async () => {
        try { await post('channels.join', { roomId: this.rid }); location.reload(); } catch (e) { toast(e.message, 'error'); }
      });
      this.composer.el.replaceWith(h('div', { class: 'join-bar' }, h('span', null, 'You are not a member of this room.'), join));
    }
  }

  // ctx is what message.js needs to draw one message for me.
  ctx(m, inThread) {
    return {
      me: state.me,
      useRealName: setting('UI_Use_Real_Name', false),
      inThread,
      canEdit: (x) => this.canEdit(x),
      canDelete: (x) => this.canDelete(x),
      canPin: setting('Message_AllowPinning', true) && hasPermission('pin-message'),
      onReact: (x, emoji) => this.react(x, emoji),
      onPickReaction: (x) => emojiPicker((emoji) => this.react(x, emoji, true)),
      onReply: (x) => navigate(roomPath(this.routeRoom(), '/thread/' + encodeURIComponent(x.tmid || x._id))),
      onEdit: (x) => (inThread && this.thread ? this.thread.composer : this.composer).startEdit(x),
      onDelete: (x) => this.del(x),
      onPin: (x) => this.act(x.pinned ? 'chat.unPinMessage' : 'chat.pinMessage', { messageId: x._id }),
      onStar: (x) => this.act(isStarred(x) ? 'chat.unStarMessage' : 'chat.starMessage', { messageId: x._id }),
      onCopyLink: (x) => this.copyLink(x),
      onOpenChannel: (v) => openChannel(v),
      onOpenUser: (u) => { if (u !== state.me.username) navigate('/direct/' + encodeURIComponent(u)); },
      onOpenImage: (url) => imageViewer(url),
    };
  }

  routeRoom() { return this.sub || { t: this.t, name: this.room.name, _id: this.rid }; }

  canEdit(m) {
    if (m.t) return false;
    if (hasPermission('edit-message')) return true;
    if (!setting('Message_AllowEditing', true) || !m.u || m.u._id !== state.me._id) return false;
    const mins = setting('Message_AllowEditing_BlockEditInMinutes', 0);
    return !mins || Date.now() - Date.parse(m.ts) < mins * 60000;
  }

  canDelete(m) {
    if (hasPermission('force-delete-message') || hasPermission('delete-message')) return true;
    if (!setting('Message_AllowDeleting', true) || !m.u || m.u._id !== state.me._id) return false;
    const mins = setting('Message_AllowDeleting_BlockDeleteInMinutes', 0);
    return !mins || Date.now() - Date.parse(m.ts) < mins * 60000;
  }

  async act(path, body) {
    try { await post(path, body); } catch (e) { toast(e.message, 'error'); }
  }

  react(m, emoji, add) {
    const mine = m.reactions && m.reactions[emoji] && (m.reactions[emoji].usernames || []).includes(state.me.username);
    if (add && mine) return;
    return this.act('chat.react', { messageId: m._id, emoji, shouldReact: !mine });
  }

  async del(m) {
    if (await confirmDialog('Delete message', 'Delete this message? This cannot be undone.', 'Delete')) {
      await this.act('chat.delete', { roomId: this.rid, msgId: m._id });
    }
  }

  copyLink(m) {
    const url = location.origin + roomPath(this.routeRoom()) + '?msg=' + encodeURIComponent(m._id);
    const done = () => toast('Link copied');
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, () => prompt('Copy the link', url));
    else {
      const ta = h('textarea', { class: 'visually-hidden' });
      ta.value = url;
      document.body.append(ta);
      ta.select();
      try { document.execCommand('copy'); done(); } catch { prompt('Copy the link', url); }
      ta.remove();
    }
  }

  async history(latest) {
    const p = { roomId: this.rid, count: PAGE };
    if (latest) p.latest = latest;
    const r = await get(FAMILY[this.t] + '.history', p);
    return r.messages || [];
  }

  async open(route) {
    const ddp = state.ddp;
    // Listen first, so that nothing posted while history loads is lost:
    // the list drops duplicates by id.
    this.off.push(ddp.subscribe('stream-room-messages', this.rid, (m) => this.onMessage(m)));
    this.off.push(ddp.subscribe('stream-notify-room', this.rid + '/deleteMessage', (x) => this.onDelete(x._id)));
    this.off.push(ddp.subscribe('stream-notify-room', this.rid + '/user-activity', (u, acts, extra) => this.onActivity(u, acts, extra)));
    this.off.push(ddp.on('resumed', () => this.catchUp()));
    let msgs = null;
    const pf = state.prefetch;
    state.prefetch = null;
    let since = new Date();
    if (pf && pf.t === this.t && (pf.key === this.room.name || pf.key === this.rid)) {
      msgs = await pf.messages;
      since = pf.started;
    }
    if (!msgs) {
      since = new Date();
      try { msgs = await this.history(); } catch (e) { msgs = []; toast('History: ' + e.message, 'error'); }
    }
    if (this.closed) return;
    this.lastUpdate = since;
    this.list.set(msgs.filter(inMain), msgs.length < PAGE);
    // History read before the room's stream was listened to may have
    // missed a message; one sync since the read closes the gap.
    if (pf && since === pf.started) this.catchUp();
    this.markRead();
    this.route(route);
    this.composer.focus();
    document.body.dataset.ready = '1';
  }

  // route applies the parts of the URL inside the room: a thread and a
  // message to show.
  async route(r) {
    if (r.tmid) { if (!this.thread || this.thread.tmid !== r.tmid) this.openThread(r.tmid); } else if (this.thread) this.closeThread();
    if (r.msg && !this.list.reveal(r.msg)) {
      // Older than what is held: load pages until it comes, up to a limit.
      for (let i = 0; i < 20 && !this.list.done && !this.list.byId.has(r.msg); i++) await this.loadOlder();
      if (!this.list.reveal(r.msg)) toast('That message was not found here.');
    }
  }

  async loadOlder() {
    const oldest = this.list.oldest();
    if (!oldest) { this.list.done = true; return; }
    try {
      const msgs = await this.history(oldest.ts);
      this.list.older(msgs.filter(inMain), msgs.length < PAGE);
    } catch (e) { toast(e.message, 'error'); }
  }

  onMessage(m) {
    if (m.rid !== this.rid) return;
    if (this.typers.has(m.u?.username)) this.onActivity(m.u.username, []);
    if (inMain(m)) this.list.upsert(m);
    else if (this.list.byId.has(m._id)) this.list.remove(m._id);
    if (this.thread) this.thread.onMessage(m);
    if (!document.hidden && m.u && m.u._id !== state.me._id) this.markReadSoon();
  }

  onDelete(id) {
    this.list.remove(id);
    if (this.thread) this.thread.onDelete(id);
  }

  onActivity(username, acts, extra) {
    if (!username || username === state.me.username) return;
    clearTimeout(this.typers.get(username));
    // A writer that stops without saying so is forgotten after a while.
    if (acts && acts.length) this.typers.set(username, setTimeout(() => this.onActivity(username, []), 15000));
    else this.typers.delete(username);
    const names = [...this.typers.keys()];
    this.typing.textContent = names.length === 0 ? '' :
      names.length === 1 ? names[0] + ' is typing…' :
      names.length < 5 ? names.join(', ') + ' are typing…' :
      names.slice(0, 4).join(', ') + ' and others are typing…';
  }

  markRead() {
    if (!this.sub) return;
    if (this.sub.unread || this.sub.alert || this.sub.userMentions || this.sub.groupMentions) {
      this.sub.unread = 0; this.sub.alert = false; this.sub.userMentions = 0; this.sub.groupMentions = 0;
      changed('rooms');
    }
    post('subscriptions.read', { rid: this.rid }).catch(() => {});
  }

  markReadSoon() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.markRead(), 500);
  }

  // catchUp reads what changed in the room while the socket was down.
  async catchUp() {
    const since = this.lastUpdate;
    // The history is still being read: it will hold what happened.
    if (!since) return;
    this.lastUpdate = new Date();
    try {
      const r = await get('chat.syncMessages', { roomId: this.rid, lastUpdate: since.toISOString() });
      const res = r.result || {};
      for (const m of res.updated || []) this.onMessage(m);
      for (const m of res.deleted || []) this.onDelete(m._id);
    } catch {
      const msgs = await this.history().catch(() => []);
      for (const m of msgs) this.onMessage(m);
    }
    if (this.thread) this.thread.reload();
  }

  openThread(tmid) {
    if (this.thread) this.thread.close();
    this.thread = new ThreadPanel(this, tmid);
    clear(this.side).append(this.thread.el);
    this.el.classList.add('with-side');
  }

  closeThread() {
    if (this.thread) this.thread.close();
    this.thread = null;
    clear(this.side);
    this.el.classList.remove('with-side');
  }

  async openSearch() {
    if (this.thread) navigate(roomPath(this.routeRoom()));
    const input = h('input', { type: 'search', 'aria-label': 'Search messages', placeholder: 'Search messages' });
    const results = h('div', { role: 'log', 'aria-label': 'Search results', class: 'messages search-results' });
    const close = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close search' }, '×');
    const form = h('form', { role: 'search', class: 'search-form' }, input);
    const panel = h('aside', { 'aria-label': 'Search', class: 'side-panel' }, h('header', null, h('h2', null, 'Search'), close), form, results);
    close.addEventListener('click', () => { clear(this.side); this.el.classList.remove('with-side'); this.composer.focus(); });
    panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') close.click(); });
    // Enter is taken on keydown, as in the composer, rather than left to
    // the form's implicit submission.
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      clear(results).append(h('p', { class: 'muted' }, 'Searching…'));
      try {
        const r = await get('chat.search', { roomId: this.rid, searchText: q, count: 50 });
        clear(results);
        const msgs = r.messages || [];
        if (!msgs.length) results.append(h('p', { class: 'muted' }, 'No messages found.'));
        for (const m of msgs) {
          const art = renderMessage(m, this.ctx(m, true));
          art.addEventListener('click', (ev) => {
            if (ev.target.closest('button, a')) return;
            navigate(roomPath(this.routeRoom()) + '?msg=' + encodeURIComponent(m._id));
          });
          results.append(art);
        }
      } catch (err) { clear(results).append(h('p', { role: 'alert' }, err.message)); }
    });
    clear(this.side).append(panel);
    this.el.classList.add('with-side');
    input.focus();
  }

  close() {
    this.closed = true;
    for (const f of this.off) f();
    this.off = [];
    this.composer.destroy();
    if (this.thread) this.thread.close();
    for (const t of this.typers.values()) clearTimeout(t);
  }
}

function isStarred(m) {
  return (m.starred || []).some((s) => s._id === state.me._id);
}

function openChannel(v) {
  const sub = state.subs.get(v) || [...state.subs.values()].find((s) => s.name === v);
  if (sub) navigate(roomPath(sub));
  else navigate('/channel/' + encodeURIComponent(v));
}

// ThreadPanel: a root message and its replies, with a composer that posts
// into the thread.
class ThreadPanel {
  constructor(view, tmid) {
    this.view = view;
    this.tmid = tmid;
    const close = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close thread' }, '×');
    close.addEventListener('click', () => navigate(roomPath(view.routeRoom())));
    this.list = new MessageList({
      label: 'Thread messages',
      ctx: (m) => view.ctx(m, true),
      grouping: () => setting('Message_GroupingPeriod', 300),
    });
    this.composer = new Composer({
      rid: view.rid, t: view.t, tmid, label: 'Thread message',
      onSent: (m) => m && this.list.upsert(m),
      lastOwn: () => this.list.last((m) => m.u && m.u._id === state.me._id && m.tmid === tmid && view.canEdit(m)),
    });
    this.el = h('aside', { 'aria-label': 'Thread', class: 'side-panel thread' },
      h('header', null, h('h2', null, 'Thread'), close), this.list.el, this.composer.el);
    this.composer.dropTarget(this.el);
    this.el.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !this.composer.editing) close.click(); });
    this.reload().then(() => this.composer.focus());
  }

  async reload() {
    try {
      const [root, replies] = await Promise.all([
        this.view.list.byId.get(this.tmid) || get('chat.getMessage', { msgId: this.tmid }).then((r) => r.message),
        get('chat.getThreadMessages', { tmid: this.tmid, count: 500, sort: { ts: 1 } }),
      ]);
      this.list.set([root, ...(replies.messages || [])], true);
    } catch (e) {
      clear(this.list.el).append(h('p', { role: 'alert' }, 'Thread: ' + e.message));
    }
  }

  onMessage(m) {
    if (m._id === this.tmid || m.tmid === this.tmid) this.list.upsert(m);
  }

  onDelete(id) { this.list.remove(id); }

  close() { this.composer.destroy(); }
}
