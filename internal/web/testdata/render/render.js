// Renders the messages of /fixtures.json with message.js, for
// message_render_test.go. The callbacks record what they were called with
// in window.__events; the modules are exposed as window.__r.
import * as message from '/static/js/message.js';
import * as markdown from '/static/js/markdown.js';
import * as emoji from '/static/js/emoji.js';

const fx = await (await fetch('/fixtures.json')).json();
const events = [];
const ev = (...a) => events.push(a);
const ctxFor = (extra = {}) => ({
  me: fx.me,
  useRealName: false,
  canEdit: (m) => m.u?._id === fx.me._id,
  canDelete: (m) => m.u?._id === fx.me._id,
  canPin: true,
  onReact: (m, e) => ev('react', m._id, e),
  onPickReaction: (m) => ev('pick', m._id),
  onReply: (m) => ev('reply', m._id),
  onEdit: (m) => ev('edit', m._id),
  onDelete: (m) => ev('delete', m._id),
  onPin: (m) => ev('pin', m._id),
  onStar: (m) => ev('star', m._id),
  onCopyLink: (m) => ev('copy', m._id),
  onOpenChannel: (c) => ev('channel', c),
  onOpenUser: (u) => ev('user', u),
  onOpenImage: (u) => ev('image', u),
  ...extra,
});

const log = document.getElementById('log');
for (const m of fx.messages) log.append(message.renderMessage(m, ctxFor()));
// Rendered before the emoji table loaded: placeholders, upgraded in place.
document.body.dataset.pendingEmoji = String(log.querySelectorAll('.emoji.pending').length);
await emoji.loadEmoji();
document.body.dataset.pendingAfter = String(log.querySelectorAll('.emoji.pending').length);

window.__events = events;
window.__r = { message, markdown, emoji, ctxFor, fx };
window.A = (id) => document.querySelector(`article[data-id="${CSS.escape(id)}"]`);
window.B = (id) => window.A(id)?.querySelector('.body');
document.body.dataset.done = '1';
