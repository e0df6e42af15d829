// One message as an <article>: header, body rendered from `md`, attachments,
// URL previews, reactions, thread summary and the actions toolbar. Also the
// list rules the room view needs (grouping, day changes) and the one-line
// texts used in previews. Everything from a message goes in as text nodes or
// attribute values; nothing is parsed as HTML.

import { renderMd, plainParagraphs, mdText, safeUrl, emojiElement, makeButton, el, str } from './markdown.js';

// ---- small helpers ----

// toDate accepts what REST (ISO strings) and DDP (EJSON {$date: ms}) send.
export function toDate(v) {
  if (v == null || v === '') return null;
  let d;
  if (v instanceof Date) d = v;
  else if (typeof v === 'object' && '$date' in v) d = new Date(v.$date);
  else d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

const fmts = {};
function fmt(key, options) {
  return (fmts[key] ??= new Intl.DateTimeFormat(undefined, options));
}
// Rocket.Chat's defaults: LT for the header, LLL for full date-times.
export const formatTime = (d) => fmt('time', { timeStyle: 'short' }).format(d);
export const formatDateTime = (d) => fmt('datetime', { dateStyle: 'long', timeStyle: 'short' }).format(d);
export const formatDay = (d) => fmt('day', { dateStyle: 'long' }).format(d);

// timeEl shows the time of day; with withDay, the date too unless it is
// today (for times outside the list's day dividers: quotes, last replies).
function timeEl(v, cls, withDay = false) {
  const d = toDate(v);
  const t = el('time', cls);
  if (!d) return t;
  t.dateTime = d.toISOString();
  t.title = formatDateTime(d);
  t.textContent = withDay && !sameLocalDay(d, new Date()) ? formatDateTime(d) : formatTime(d);
  return t;
}

function sameLocalDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

// icon is an empty span that message.css paints with a mask image, so the
// toolbars of a long history add no SVG nodes.
export function icon(name, filled = false) {
  const s = document.createElement('span');
  s.className = `m-icon m-icon-${name}` + (filled ? ' filled' : '');
  s.setAttribute('aria-hidden', 'true');
  return s;
}

// ---- list rules (reference §4.1, §4.2) ----

// isSystemMessage: the message types drawn as a compact system row.
export function isSystemMessage(msg) {
  return systemText(msg) !== null;
}

// isSequential tells whether cur continues prev's group (no avatar, no
// header). It follows Rocket.Chat's rule with one change: for thread replies
// Rocket.Chat groups any reply with the previous one of the same thread,
// whoever wrote it; here a reply also needs the same author and the time
// window, so the thread panel still shows who wrote each reply.
export function isSequential(prev, cur, groupingSeconds = 300) {
  if (!prev || !cur) return false;
  if (isSystemMessage(prev) || isSystemMessage(cur)) return false;
  if (cur.tmid) {
    if (prev.tmid !== cur.tmid && prev._id !== cur.tmid) return false;
  } else if (prev.tmid) {
    return false;
  }
  if (cur.groupable === false) return false;
  if (!prev.u || !cur.u || prev.u._id !== cur.u._id) return false;
  if (str(prev.alias) !== str(cur.alias)) return false;
  const a = toDate(prev.ts);
  const b = toDate(cur.ts);
  if (!a || !b) return false;
  return (b - a) / 1000 < Number(groupingSeconds ?? 300) && sameLocalDay(a, b);
}

// isNewDay: cur starts a new local calendar day (or is the first message).
export function isNewDay(prev, cur) {
  if (!prev) return true;
  const a = toDate(prev.ts);
  const b = toDate(cur?.ts);
  if (!a || !b) return false;
  return !sameLocalDay(a, b);
}

// ---- system messages (reference §4.5) ----

const none = (v) => (str(v) === '' ? '(none)' : str(v));

const SYSTEM = {
  uj: () => 'joined the channel',
  ul: () => 'left the channel',
  ujt: () => 'joined this team',
  ult: () => 'left this team',
  ut: () => 'joined the conversation',
  au: (m) => `added ${str(m.msg)}`,
  ru: (m) => `removed ${str(m.msg)}`,
  'added-user-to-team': (m) => `added @${str(m.msg)} to this team`,
  'removed-user-from-team': (m) => `removed @${str(m.msg)} from this team`,
  'user-added-room-to-team': (m) => `added #${str(m.msg)} to this team`,
  'user-removed-room-from-team': (m) => `removed #${str(m.msg)} from this team`,
  'user-deleted-room-from-team': (m) => `deleted #${str(m.msg)} from this team`,
  'user-converted-to-team': (m) => `converted #${str(m.msg)} to a team`,
  'user-converted-to-channel': (m) => `converted #${str(m.msg)} to a channel`,
  r: (m) => `changed room name to ${str(m.msg)}`,
  room_changed_topic: (m) => `changed room topic to ${none(m.msg)}`,
  room_changed_announcement: (m) => `changed room announcement to ${none(m.msg)}`,
  room_changed_description: (m) => `changed room description to ${none(m.msg)}`,
  room_changed_privacy: (m) => `changed room to ${str(m.msg).toLowerCase()}`,
  room_changed_avatar: () => 'changed room avatar',
  room_e2e_enabled: () => 'enabled end-to-end encryption for this room',
  room_e2e_disabled: () => 'disabled end-to-end encryption for this room',
  message_pinned: () => 'pinned a message',
  'user-muted': (m) => `muted ${str(m.msg)}`,
  'user-unmuted': (m) => `unmuted ${str(m.msg)}`,
  'user-banned': (m) => `banned ${str(m.msg)}`,
  'user-unbanned': (m) => `unbanned ${str(m.msg)}`,
  'subscription-role-added': (m) => `set ${str(m.msg)} as ${str(m.role)}`,
  'subscription-role-removed': (m) => `removed ${str(m.msg)} as ${str(m.role)}`,
  'new-moderator': (m) => `set ${str(m.msg)} as moderator`,
  'moderator-removed': (m) => `removed ${str(m.msg)} as moderator`,
  'new-owner': (m) => `set ${str(m.msg)} as owner`,
  'owner-removed': (m) => `removed ${str(m.msg)} as owner`,
  'new-leader': (m) => `set ${str(m.msg)} as leader`,
  'leader-removed': (m) => `removed ${str(m.msg)} as leader`,
  'room-archived': () => 'archived room',
  'room-unarchived': () => 'unarchived room',
  'room-set-read-only': () => 'set room to read only',
  'room-removed-read-only': () => 'removed read only permission',
  'room-allowed-reacting': () => 'allowed reactions',
  'room-disallowed-reacting': () => 'disallowed reactions',
  rm: () => 'message removed',
  wm: (m) => `Welcome ${str(m.msg)}.`,
};

// systemText returns the lower-case fragment that follows the actor's name
// ("joined the channel"), or null when msg.t is not a system type.
export function systemText(msg) {
  const f = msg && typeof msg.t === 'string' && Object.hasOwn(SYSTEM, msg.t) ? SYSTEM[msg.t] : null;
  return f ? f(msg) : null;
}

// ---- display names ----

function authorName(msg, ctx) {
  if (msg.alias) return str(msg.alias);
  const u = msg.u || {};
  return ctx?.useRealName && u.name ? str(u.name) : str(u.username);
}

function avatarSrc(msg) {
  if (msg.avatar) {
    const u = safeUrl(msg.avatar, { mailto: false });
    if (u) return u.href;
  }
  return '/avatar/' + encodeURIComponent(str(msg.u?.username));
}

function avatar(msg, size) {
  const img = el('img', 'avatar');
  img.loading = 'lazy';
  img.src = avatarSrc(msg);
  img.alt = '';
  img.decoding = 'async';
  img.width = size;
  img.height = size;
  return img;
}

// previewText is one line of plain text for sidebars, notifications and
// thread previews.
export function previewText(msg) {
  if (!msg) return '';
  const sys = systemText(msg);
  if (sys !== null) {
    if (msg.t === 'wm') return sys;
    return `${str(msg.u?.username)} ${sys}`.trim();
  }
  if (msg.t === 'e2e') return 'Encrypted message';
  let text = Array.isArray(msg.md) ? mdText(msg.md, { msg }) : str(msg.msg).replace(/\s+/g, ' ').trim();
  if (!text && Array.isArray(msg.attachments) && msg.attachments.length) {
    const a = msg.attachments[0] || {};
    text = str(a.title || a.description || a.text || a.author_name || 'Attachment').replace(/\s+/g, ' ').trim();
  }
  return text;
}

// ---- attachments ----

function formatSize(n) {
  n = Number(n);
  if (!Number.isFinite(n) || n <= 0) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(n < 10 ? 1 : 0) : n} ${units[i]}`;
}

function fileUrl(v) {
  const u = safeUrl(v, { mailto: false });
  return u ? u.href : null;
}

function attachmentText(a, msg, ctx) {
  if (Array.isArray(a.md)) {
    return renderMd(a.md, { msg: { msg: a.text, mentions: a.mentions ?? msg.mentions, channels: a.channels ?? msg.channels }, me: ctx.me, useRealName: ctx.useRealName, onOpenUser: ctx.onOpenUser, onOpenChannel: ctx.onOpenChannel, onOpenImage: ctx.onOpenImage });
  }
  return plainParagraphs(a.text);
}

function imageAttachment(a, url, ctx) {
  const img = el('img', 'attachment-img');
  img.loading = 'lazy';
  img.src = url;
  img.alt = str(a.description || a.title);
  img.decoding = 'async';
  // The server's tiny blurred preview (base64 JPEG) stands in while the
  // image loads; only base64 characters go into the CSS url().
  const blur = str(a.image_preview);
  if (blur && blur.length < 20000 && /^[A-Za-z0-9+/]+=*$/.test(blur)) {
    img.classList.add('has-preview');
    img.style.backgroundImage = `url("data:image/jpeg;base64,${blur}")`;
    img.addEventListener('load', () => {
      img.style.backgroundImage = '';
      img.classList.remove('has-preview');
    }, { once: true });
  }
  const dim = a.image_dimensions;
  if (dim && Number(dim.width) > 0 && Number(dim.height) > 0) {
    // Known dimensions reserve the space, so the list does not jump when the
    // image arrives.
    img.width = Number(dim.width);
    img.height = Number(dim.height);
  }
  const link = el('a', 'attachment-image-link', img);
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  link.addEventListener('click', (e) => {
    if (!ctx.onOpenImage || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    ctx.onOpenImage(url);
  });
  return link;
}

function fileTitle(a, downloadUrl) {
  const name = str(a.title) || 'file';
  const size = formatSize(a.size ?? a.image_size ?? a.audio_size ?? a.video_size);
  const box = el('div', 'attachment-title');
  if (downloadUrl) {
    const link = el('a', 'attachment-file', icon('file'), el('span', 'file-name', name));
    link.href = downloadUrl;
    link.setAttribute('download', '');
    link.title = name;
    box.append(link);
  } else {
    box.append(el('span', 'file-name', name));
  }
  if (size) box.append(el('span', 'file-size', size));
  return box;
}

function quoteAttachment(a, msg, ctx, depth) {
  const q = el('blockquote', 'attachment-quote');
  const head = el('div', 'quote-header');
  const authorIcon = a.author_icon ? fileUrl(a.author_icon) : null;
  if (authorIcon) {
    const img = el('img', 'avatar quote-avatar');
    img.loading = 'lazy';
    img.src = authorIcon;
    img.alt = '';
    img.width = 20;
    img.height = 20;
    head.append(img);
  }
  if (a.author_name) head.append(el('span', 'quote-author', str(a.author_name)));
  const d = toDate(a.ts);
  if (d) {
    const t = timeEl(a.ts, 'quote-time', true);
    const link = a.message_link ? safeUrl(a.message_link, { mailto: false }) : null;
    if (link) {
      const jump = el('a', 'quote-link', t);
      jump.href = link.href;
      if (link.internal) jump.dataset.internal = '1';
      else {
        jump.target = '_blank';
        jump.rel = 'noopener noreferrer';
      }
      head.append(jump);
    } else head.append(t);
  }
  if (head.childNodes.length) q.append(head);
  if (a.text) q.append(el('div', 'quote-text', attachmentText(a, msg, ctx)));
  if (Array.isArray(a.attachments) && a.attachments.length && depth < 2) {
    q.append(attachments(a.attachments, msg, ctx, depth + 1));
  }
  return q;
}

function genericAttachment(a, msg, ctx, depth) {
  const box = el('div', 'attachment-card');
  if (a.color) box.style.borderInlineStartColor = str(a.color);
  if (a.pretext) box.append(el('div', 'card-pretext', str(a.pretext)));
  if (a.author_name) box.append(el('div', 'card-author', str(a.author_name)));
  if (a.title) {
    const url = a.title_link ? safeUrl(a.title_link) : null;
    if (url) {
      const link = el('a', 'card-title', str(a.title));
      link.href = url.href;
      if (!url.internal) {
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
      }
      box.append(link);
    } else box.append(el('div', 'card-title', str(a.title)));
  }
  if (a.text) box.append(el('div', 'card-text', attachmentText(a, msg, ctx)));
  if (Array.isArray(a.fields) && a.fields.length) {
    const dl = el('dl', 'card-fields');
    for (const f of a.fields) {
      if (!f) continue;
      dl.append(el('dt', null, str(f.title)), el('dd', null, str(f.value)));
    }
    box.append(dl);
  }
  const thumb = a.thumb_url ? fileUrl(a.thumb_url) : null;
  if (thumb) {
    const img = el('img', 'card-thumb');
    img.loading = 'lazy';
    img.src = thumb;
    img.alt = '';
    box.append(img);
  }
  if (Array.isArray(a.attachments) && a.attachments.length && depth < 2) box.append(attachments(a.attachments, msg, ctx, depth + 1));
  return box;
}

function attachment(a, msg, ctx, depth) {
  if (!a || typeof a !== 'object') return null;
  const download = a.title_link ? fileUrl(a.title_link) : null;
  const image = a.image_url ? fileUrl(a.image_url) : null;
  const audio = a.audio_url ? fileUrl(a.audio_url) : null;
  const video = a.video_url ? fileUrl(a.video_url) : null;
  if (image || audio || video) {
    const fig = el('figure', 'attachment ' + (image ? 'attachment-image' : audio ? 'attachment-audio' : 'attachment-video'));
    fig.append(fileTitle(a, download || image || audio || video));
    if (image) fig.append(imageAttachment(a, image, ctx));
    else if (audio) {
      const au = el('audio', null);
      au.controls = true;
      au.preload = 'none';
      au.src = audio;
      fig.append(au);
    } else {
      const v = el('video', null);
      v.controls = true;
      v.preload = 'metadata';
      v.src = video;
      fig.append(v);
    }
    if (a.description) fig.append(el('figcaption', 'attachment-description', str(a.description)));
    return fig;
  }
  if (a.type === 'file' || (download && !a.text && !a.author_name)) {
    const box = el('div', 'attachment attachment-generic-file', fileTitle(a, download));
    if (a.description) box.append(el('div', 'attachment-description', str(a.description)));
    return box;
  }
  if (a.message_link || (a.author_name && a.text !== undefined && !a.title)) return quoteAttachment(a, msg, ctx, depth);
  return genericAttachment(a, msg, ctx, depth);
}

function attachments(list, msg, ctx, depth = 0) {
  const box = el('div', 'attachments');
  for (const a of list) {
    const x = attachment(a, msg, ctx, depth);
    if (x) box.append(x);
  }
  return box;
}

// ---- URL previews ----

function firstOf(meta, keys) {
  for (const k of keys) {
    const v = meta[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return '';
}

function preview(entry, ctx) {
  if (!entry || entry.ignoreParse) return null;
  const u = safeUrl(entry.url, { mailto: false });
  if (!u || u.internal) return null;
  const meta = entry.meta && typeof entry.meta === 'object' ? entry.meta : {};
  const ctype = str(entry.headers?.contentType);
  if (ctype.startsWith('image/') && Object.keys(meta).length === 0) {
    const box = el('div', 'preview preview-image-only');
    box.append(imageAttachment({ title: u.href }, u.href, ctx));
    return box;
  }
  const title = firstOf(meta, ['ogTitle', 'twitterTitle', 'title', 'pageTitle', 'oembedTitle']);
  const desc = firstOf(meta, ['ogDescription', 'twitterDescription', 'description']);
  const imgRaw = firstOf(meta, ['ogImage', 'ogImageUrl', 'ogImageSecureUrl', 'twitterImage', 'twitterImageSrc', 'oembedThumbnailUrl', 'msapplicationTileImage']);
  if (!title && !desc && !imgRaw) return null;
  const box = el('div', 'preview');
  const text = el('div', 'preview-text');
  const site = firstOf(meta, ['ogSiteName', 'oembedProviderName']) || new URL(u.href).hostname;
  text.append(el('div', 'preview-site', site));
  if (title) {
    const a = el('a', 'preview-title', title);
    a.href = u.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    text.append(a);
  }
  if (desc) text.append(el('div', 'preview-description', desc));
  box.append(text);
  // Resolve relative og:image against the page; only http(s) images load.
  let img = null;
  if (imgRaw) {
    try {
      const abs = new URL(imgRaw, u.href);
      if (abs.protocol === 'http:' || abs.protocol === 'https:') img = abs.href;
    } catch {
      img = null;
    }
  }
  if (img) {
    const i = el('img', 'preview-image');
    i.loading = 'lazy';
    i.referrerPolicy = 'no-referrer';
    i.src = img;
    i.alt = '';
    const a = el('a', 'preview-image-link', i);
    a.href = u.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.tabIndex = -1;
    box.append(a);
  }
  return box;
}

// ---- reactions (reference §5.2) ----

export function reactionTitle(key, r, ctx) {
  const usernames = Array.isArray(r?.usernames) ? r.usernames : [];
  const names = Array.isArray(r?.names) ? r.names : [];
  const meName = ctx?.me?.username;
  const mine = !!meName && usernames.includes(meName);
  const others = [];
  usernames.forEach((u, i) => {
    if (u === meName) return;
    others.push(ctx?.useRealName && names[i] ? names[i] : '@' + u);
  });
  const shown = others.slice(0, 10).join(', ');
  const more = others.length - 10;
  if (!others.length) return mine ? `You reacted with ${key}` : `Reacted with ${key}`;
  if (more > 0) return mine ? `You, ${shown} and ${more} more reacted with ${key}` : `${shown} and ${more} more reacted with ${key}`;
  return mine ? `You and ${shown} reacted with ${key}` : `${shown} reacted with ${key}`;
}

function reactions(msg, ctx) {
  const box = el('div', 'reactions');
  const meName = ctx.me?.username;
  for (const [key, r] of Object.entries(msg.reactions)) {
    const usernames = Array.isArray(r?.usernames) ? r.usernames : [];
    if (!usernames.length) continue;
    const mine = !!meName && usernames.includes(meName);
    const name = key.replace(/^:|:$/g, '');
    const b = el('button', mine ? 'reaction mine' : 'reaction', emojiElement(name, `:${name}:`), el('span', 'count', String(usernames.length)));
    b.type = 'button';
    b.dataset.emoji = `:${name}:`;
    b.setAttribute('aria-pressed', mine ? 'true' : 'false');
    b.title = reactionTitle(`:${name}:`, r, ctx);
    if (ctx.onReact) b.addEventListener('click', (e) => {
      e.stopPropagation();
      ctx.onReact(msg, `:${name}:`);
    });
    else b.disabled = true;
    box.append(b);
  }
  if (!box.childNodes.length) return null;
  if (ctx.onPickReaction) {
    const add = el('button', 'reaction reaction-add', icon('react'));
    add.type = 'button';
    add.setAttribute('aria-label', 'Add reaction');
    add.title = 'Add reaction';
    add.addEventListener('click', (e) => {
      e.stopPropagation();
      ctx.onPickReaction(msg, add);
    });
    box.append(add);
  }
  return box;
}

// ---- actions toolbar ----

function toolbar(msg, ctx) {
  const bar = el('div', 'toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Message actions');
  const add = (label, iconName, fn, pressed) => {
    // The icon is the button's ::before (see message.css): one node less per
    // action in every message of a long history.
    const b = el('button', `action m-icon-${iconName}` + (pressed ? ' filled' : ''));
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      fn(b);
    });
    bar.append(b);
  };
  const starred = isStarredByMe(msg, ctx);
  if (ctx.onPickReaction) add('Add reaction', 'react', (b) => ctx.onPickReaction(msg, b));
  if (ctx.onReply && !ctx.inThread) add('Reply in thread', 'reply', () => ctx.onReply(msg));
  if (ctx.onEdit && ctx.canEdit?.(msg)) add('Edit', 'edit', () => ctx.onEdit(msg));
  if (ctx.onPin && ctx.canPin) add(msg.pinned ? 'Unpin' : 'Pin', 'pin', () => ctx.onPin(msg), !!msg.pinned);
  if (ctx.onStar) add(starred ? 'Unstar' : 'Star', 'star', () => ctx.onStar(msg), starred);
  if (ctx.onCopyLink) add('Copy link', 'link', () => ctx.onCopyLink(msg));
  if (ctx.onDelete && ctx.canDelete?.(msg)) add('Delete', 'delete', () => ctx.onDelete(msg));
  if (!bar.childNodes.length) return null;
  // One tab stop per toolbar; arrows move between its buttons (the ARIA
  // toolbar pattern), so tabbing through a long history stays short.
  const buttons = [...bar.children];
  buttons.forEach((b, i) => { b.tabIndex = i === 0 ? 0 : -1; });
  bar.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = (i + 1) % buttons.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = (i - 1 + buttons.length) % buttons.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = buttons.length - 1;
    if (j < 0) return;
    e.preventDefault();
    buttons[i].tabIndex = -1;
    buttons[j].tabIndex = 0;
    buttons[j].focus();
  });
  return bar;
}

function isStarredByMe(msg, ctx) {
  const id = ctx?.me?._id;
  return !!id && Array.isArray(msg.starred) && msg.starred.some((s) => s && s._id === id);
}

// ---- the article ----

function editedMark(msg, ctx) {
  const d = toDate(msg.editedAt);
  const by = msg.editedBy || {};
  const when = d ? formatDateTime(d) : '';
  const byMe = ctx.me && (by._id === ctx.me._id || (!by._id && by.username === ctx.me.username));
  const title = byMe || !by.username
    ? `Message has been edited at ${when}`
    : `Message has been edited by ${str(by.username)} at ${when}`;
  const span = el('span', 'edited', icon('edit'), el('span', 'edited-text', 'edited'));
  if (by._id && msg.u?._id && by._id !== msg.u._id) span.classList.add('by-other');
  span.title = title.trim();
  return span;
}

function statusIcon(cls, iconName, title) {
  const s = el('span', 'status ' + cls, icon(iconName, true));
  s.title = title;
  s.setAttribute('role', 'img');
  s.setAttribute('aria-label', title);
  return s;
}

function mentionsMe(msg, ctx) {
  const me = ctx.me;
  if (!me || !Array.isArray(msg.mentions) || msg.u?._id === me._id) return '';
  if (msg.mentions.some((m) => m && (m._id === me._id || (m.username && m.username === me.username)))) return 'mentions-me';
  if (msg.mentions.some((m) => m && (m._id === 'all' || m._id === 'here'))) return 'mentions-all';
  return '';
}

function systemArticle(msg, ctx, text) {
  const art = el('article', 'message system');
  art.dataset.id = str(msg._id);
  if (msg.tmid) art.dataset.tmid = str(msg.tmid);
  if (msg.t) art.dataset.t = str(msg.t);
  const line = el('div', 'system-line');
  if (msg.t === 'wm') {
    line.append('Welcome ', el('em', null, str(msg.msg)), '.');
  } else {
    line.append(avatar(msg, 20), el('strong', 'author', authorName(msg, ctx)), ' ', el('span', 'system-text', text));
  }
  line.append(' ', timeEl(msg.ts, 'time'));
  art.append(line);
  if (Array.isArray(msg.attachments) && msg.attachments.length) {
    const body = el('div', 'system-attachments');
    body.append(attachments(msg.attachments, msg, ctx));
    art.append(body);
  }
  return art;
}

function mdOptions(msg, ctx) {
  return {
    msg,
    me: ctx.me,
    useRealName: ctx.useRealName,
    onOpenChannel: ctx.onOpenChannel,
    onOpenUser: ctx.onOpenUser,
    onOpenImage: ctx.onOpenImage,
    highlight: ctx.highlight,
  };
}

function body(msg, ctx) {
  const b = el('div', 'body');
  if (msg.t === 'e2e') {
    b.append(el('em', 'e2e', 'This message is end-to-end encrypted.'));
  } else if (Array.isArray(msg.md) && msg.md.length) {
    b.append(renderMd(msg.md, mdOptions(msg, ctx)));
  } else if (msg.msg) {
    b.append(plainParagraphs(msg.msg));
  }
  return b;
}

function threadSummary(msg, ctx) {
  const n = Number(msg.tcount) || 0;
  const box = el('div', 'thread-info');
  const b = el('button', 'thread-summary', icon('thread'), el('span', null, n === 1 ? '1 reply' : `${n} replies`));
  b.type = 'button';
  if (ctx.onReply) b.addEventListener('click', (e) => {
    e.stopPropagation();
    ctx.onReply(msg);
  });
  box.append(b);
  const last = toDate(msg.tlm);
  if (last) box.append(el('span', 'thread-last', 'Last reply ', timeEl(msg.tlm, 'thread-last-time', true)));
  return box;
}

function discussionFooter(msg, ctx) {
  const box = el('div', 'discussion-info');
  const n = Number(msg.dcount) || 0;
  const open = el('button', 'discussion-open', 'Open discussion');
  open.type = 'button';
  if (ctx.onOpenChannel && msg.drid) open.addEventListener('click', (e) => {
    e.stopPropagation();
    ctx.onOpenChannel(str(msg.drid));
  });
  else open.disabled = true;
  box.append(open, el('span', 'discussion-count', n === 1 ? '1 message' : `${n} messages`));
  const last = toDate(msg.dlm);
  if (last) box.append(el('span', 'discussion-last', timeEl(msg.dlm, 'discussion-last-time', true)));
  return box;
}

// renderMessage(msg, ctx) -> <article>. See the shared DOM contract: data-id,
// data-tmid, .author, <time>, .body, .edited, .attachments, .previews,
// .reactions, .thread-summary and the "Message actions" toolbar.
export function renderMessage(msg, ctx = {}) {
  msg = msg || {};
  const sys = systemText(msg);
  if (sys !== null) return systemArticle(msg, ctx, sys);

  const art = el('article', 'message');
  art.dataset.id = str(msg._id);
  if (msg.tmid) art.dataset.tmid = str(msg.tmid);
  if (msg.t) art.dataset.t = str(msg.t);
  if (ctx.sequential) art.classList.add('sequential');
  if (ctx.me && msg.u?._id === ctx.me._id) art.classList.add('own');
  const mention = mentionsMe(msg, ctx);
  if (mention) art.classList.add(mention);
  if (msg.pinned) art.classList.add('pinned');
  if (msg.temp) art.classList.add('pending');
  if (msg.t === 'discussion-created') art.classList.add('discussion');

  const gutter = el('div', 'msg-gutter');
  if (ctx.sequential) gutter.append(timeEl(msg.ts, 'seq-time'));
  else gutter.append(avatar(msg, 36));
  art.append(gutter);

  const main = el('div', 'msg-main');
  const header = el('div', ctx.sequential ? 'msg-header visually-hidden' : 'msg-header');
  header.append(el('span', 'author', authorName(msg, ctx)));
  if (msg.alias || (ctx.useRealName && msg.u?.name && msg.u.name !== msg.u.username)) {
    header.append(el('span', 'username', '@' + str(msg.u?.username)));
  }
  if (msg.bot) header.append(el('span', 'tag', 'Bot'));
  if (!ctx.sequential) header.append(timeEl(msg.ts, 'time'));
  if (msg.editedAt) header.append(editedMark(msg, ctx));
  if (msg.pinned) header.append(statusIcon('pinned', 'pin', 'Message has been pinned'));
  if (isStarredByMe(msg, ctx)) header.append(statusIcon('starred', 'star', 'Message has been starred'));
  main.append(header);
  // In a grouped message the header is only for screen readers; the edited
  // and status marks stay visible next to the body.
  if (ctx.sequential && (msg.editedAt || msg.pinned || isStarredByMe(msg, ctx))) {
    const marks = el('div', 'seq-marks');
    if (msg.editedAt) marks.append(editedMark(msg, ctx));
    if (msg.pinned) marks.append(statusIcon('pinned', 'pin', 'Message has been pinned'));
    if (isStarredByMe(msg, ctx)) marks.append(statusIcon('starred', 'star', 'Message has been starred'));
    marks.setAttribute('aria-hidden', 'true');
    main.append(marks);
  }

  if (msg.tmid && !ctx.inThread && ctx.onReply) {
    const link = el('button', 'thread-link', icon('thread'), el('span', null, 'Replied in a thread'));
    link.type = 'button';
    link.addEventListener('click', (e) => {
      e.stopPropagation();
      ctx.onReply(msg);
    });
    main.append(link);
  }

  main.append(body(msg, ctx));
  if (Array.isArray(msg.attachments) && msg.attachments.length) main.append(attachments(msg.attachments, msg, ctx));
  if (Array.isArray(msg.urls) && msg.urls.length) {
    const box = el('div', 'previews');
    for (const u of msg.urls) {
      const p = preview(u, ctx);
      if (p) box.append(p);
    }
    if (box.childNodes.length) main.append(box);
  }
  if (msg.t === 'discussion-created') main.append(discussionFooter(msg, ctx));
  if (msg.reactions && typeof msg.reactions === 'object') {
    const r = reactions(msg, ctx);
    if (r) main.append(r);
  }
  if (Number(msg.tcount) > 0 && !msg.tmid && !ctx.inThread) main.append(threadSummary(msg, ctx));
  art.append(main);

  const bar = toolbar(msg, ctx);
  if (bar) art.append(bar);
  return art;
}

// updateMessage re-renders an article in place (edits, reactions, pins), so
// references the room view holds stay valid, and keeps keyboard focus on the
// equivalent control when it was inside the message.
export function updateMessage(node, msg, ctx = {}) {
  const fresh = renderMessage(msg, ctx);
  const active = node.contains(document.activeElement) ? document.activeElement : null;
  let focusKey = null;
  if (active) {
    if (active.dataset?.emoji) focusKey = `[data-emoji="${CSS.escape(active.dataset.emoji)}"]`;
    else if (active.getAttribute('aria-label')) focusKey = `[aria-label="${CSS.escape(active.getAttribute('aria-label'))}"]`;
    else if (active.classList.contains('thread-summary')) focusKey = '.thread-summary';
  }
  for (const a of [...node.attributes]) node.removeAttribute(a.name);
  for (const a of fresh.attributes) node.setAttribute(a.name, a.value);
  node.replaceChildren(...fresh.childNodes);
  if (focusKey) {
    let target = node.querySelector(focusKey);
    // Pin/Unpin and Star/Unstar swap their names when pressed.
    if (!target) {
      const swap = { Pin: 'Unpin', Unpin: 'Pin', Star: 'Unstar', Unstar: 'Star' }[active.getAttribute?.('aria-label')];
      if (swap) target = node.querySelector(`[aria-label="${swap}"]`);
    }
    if (target) {
      if (target.closest('[role="toolbar"]')) {
        for (const b of target.closest('[role="toolbar"]').querySelectorAll('button')) b.tabIndex = b === target ? 0 : -1;
      }
      target.focus();
    }
  }
  return node;
}
