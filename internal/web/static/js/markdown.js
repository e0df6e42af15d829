// Renders the `md` tree the server stores with every message (the output of
// @rocket.chat/message-parser 0.32.0) into DOM nodes, the way Rocket.Chat's
// own renderer draws it. Nothing is parsed again here: every string from the
// tree goes in as a text node or an attribute value, never as HTML.

import { emojiFor, emojiLoaded, whenEmojiLoaded } from './emoji.js';

const SPOILER_LABEL = 'Spoiler hidden. Activate to reveal.';

export function el(tag, cls, ...kids) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const k of kids) {
    if (k == null || k === false) continue;
    e.append(k instanceof Node ? k : String(k));
  }
  return e;
}

export function str(v) {
  return typeof v === 'string' ? v : v == null ? '' : String(v);
}

// A PLAIN_TEXT leaf or a bare string.
function leafText(v) {
  if (v && typeof v === 'object') return str(v.value);
  return str(v);
}

// Makes a span or div behave as a button for mouse and keyboard.
export function makeButton(node, onActivate) {
  node.setAttribute('role', 'button');
  node.tabIndex = 0;
  const click = (e) => {
    e.preventDefault();
    e.stopPropagation();
    onActivate(e);
  };
  const key = (e) => {
    if (e.key === 'Enter' || e.key === ' ') click(e);
  };
  node.addEventListener('click', click);
  node.addEventListener('keydown', key);
  return () => {
    node.removeEventListener('click', click);
    node.removeEventListener('keydown', key);
    node.removeAttribute('role');
    node.removeAttribute('tabindex');
  };
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };

// safeUrl resolves a URL from message data and returns {href, internal}, or
// null unless it is http(s), mailto (when allowed) or a same-origin path.
// Rocket.Chat decodes HTML entities in hrefs first (texts pasted from HTML
// often carry &amp;), and so does this. The scheme check runs on the parsed
// URL, so tricks like "java\tscript:" or upper-case schemes are caught.
export function safeUrl(raw, { mailto = true } = {}) {
  let s = str(raw).trim().replace(/&(amp|lt|gt|quot|apos|#39|#x27|#x2F|#47);/gi, (m, n) => ENTITIES[n] ?? ENTITIES[n.toLowerCase()] ?? m);
  if (!s) return null;
  let u;
  try {
    u = new URL(s, document.baseURI);
  } catch {
    return null;
  }
  const ok = u.protocol === 'http:' || u.protocol === 'https:' || (mailto && u.protocol === 'mailto:');
  if (!ok) return null;
  return { href: u.href, internal: u.origin === location.origin };
}

// ---- emoji ----

// emojiElement draws one shortcode emoji. `text` is what the author typed
// (":smile:" or an emoticon such as ":)"), shown while the table loads and
// when the name is unknown.
export function emojiElement(code, text, big = false) {
  const name = str(code).replace(/^:|:$/g, '');
  const span = el('span', big ? 'emoji big' : 'emoji');
  const shown = text || `:${name}:`;
  const fill = () => {
    span.classList.remove('pending');
    const ch = emojiFor(name);
    if (ch) {
      span.textContent = ch;
      span.title = `:${name}:`;
    } else {
      span.textContent = shown;
      span.classList.add('unknown');
    }
    span.setAttribute('role', 'img');
    span.setAttribute('aria-label', `:${name}:`);
  };
  if (emojiLoaded()) {
    fill();
  } else {
    span.textContent = shown;
    span.classList.add('pending');
    whenEmojiLoaded(fill);
  }
  return span;
}

function emojiNode(node, big) {
  if (node.unicode) {
    return el('span', big ? 'emoji big' : 'emoji', str(node.unicode));
  }
  const code = str(node.shortCode) || leafText(node.value);
  const typed = leafText(node.value);
  // An emoticon keeps its typed text as fallback; a shortcode shows ":name:".
  const text = typed && typed !== code ? typed : `:${code}:`;
  return emojiElement(code, text, big);
}

// ---- mentions ----

function findUserMention(msg, name) {
  const list = Array.isArray(msg?.mentions) ? msg.mentions : [];
  return list.find((m) => m && (m.type === 'team' ? m.name === name : (!m.type || m.type === 'user') && m.username === name));
}

function userMention(r, name) {
  if (name === 'all' || name === 'here') {
    const s = el('span', 'mention mention-' + name, name);
    s.title = name === 'all' ? 'Mentions all room members' : 'Mentions online room members';
    return s;
  }
  const m = findUserMention(r.msg, name);
  if (!m) return document.createTextNode('@' + name);
  if (m.type === 'team') {
    const s = el('span', 'mention mention-team', str(m.name));
    s.title = 'Mentions team';
    return s;
  }
  const isMe = !!r.me && ((m._id && m._id === r.me._id) || m.username === r.me.username);
  const label = r.useRealName && m.name ? str(m.name) : str(m.username);
  const s = el('span', isMe ? 'mention mention-user mention-me' : 'mention mention-user', label);
  s.title = isMe ? 'Mentions you' : 'Mentions user';
  if (m._id) s.dataset.uid = m._id;
  s.dataset.username = str(m.username);
  if (r.onOpenUser) makeButton(s, () => r.onOpenUser(str(m.username)));
  return s;
}

function channelMention(r, name) {
  const list = Array.isArray(r.msg?.channels) ? r.msg.channels : [];
  const c = list.find((ch) => ch && (ch.name === name || ch.fname === name));
  if (!c) return document.createTextNode('#' + name);
  const s = el('span', 'mention mention-channel', name);
  s.title = 'Mentions channel';
  if (c._id) s.dataset.rid = c._id;
  if (r.onOpenChannel) makeButton(s, () => r.onOpenChannel(str(c.name || name)));
  return s;
}

// ---- spoilers ----

function spoiler(block, kids) {
  const box = el(block ? 'div' : 'span', block ? 'md-spoiler md-spoiler-block' : 'md-spoiler');
  const content = el(block ? 'div' : 'span', 'md-spoiler-content', ...kids);
  // inert keeps links inside a hidden spoiler out of the tab order and away
  // from clicks; the box itself is the one control.
  content.inert = true;
  box.append(content);
  box.setAttribute('aria-expanded', 'false');
  box.setAttribute('aria-label', SPOILER_LABEL);
  box.title = SPOILER_LABEL;
  const off = makeButton(box, () => {
    off();
    content.inert = false;
    box.classList.add('revealed');
    box.removeAttribute('aria-expanded');
    box.removeAttribute('aria-label');
    box.removeAttribute('title');
  });
  return box;
}

// ---- timestamps ----

const fmtCache = new Map();
function dtf(key, options) {
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, options);
    fmtCache.set(key, f);
  }
  return f;
}

const TS_OPTIONS = {
  t: { timeStyle: 'short' },
  T: { timeStyle: 'medium' },
  d: { dateStyle: 'short' },
  D: { dateStyle: 'short', timeStyle: 'short' },
  f: { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'shortOffset' },
  F: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' },
};

let rtf;
// relativeTime follows date-fns' intlFormatDistance: the largest unit that
// fits, "yesterday"/"in 3 hours" wording from Intl.RelativeTimeFormat.
export function relativeTime(date, now = Date.now()) {
  rtf ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const s = (date.getTime() - now) / 1000;
  const a = Math.abs(s);
  if (a < 60) return rtf.format(Math.round(s), 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  if (a < 7 * 86400) return rtf.format(Math.round(s / 86400), 'day');
  if (a < 30 * 86400) return rtf.format(Math.round(s / (7 * 86400)), 'week');
  if (a < 365 * 86400) return rtf.format(Math.round(s / (30.44 * 86400)), 'month');
  return rtf.format(Math.round(s / (365.25 * 86400)), 'year');
}

export function formatTimestamp(date, format) {
  if (format === 'R') return relativeTime(date);
  const o = TS_OPTIONS[format] ?? TS_OPTIONS.t;
  return dtf('ts' + (TS_OPTIONS[format] ? format : 't'), o).format(date);
}

let relativeTimer = null;
// One timer for the whole page keeps relative timestamps current; it looks
// them up in the document, so removed messages need no clean-up.
function watchRelative() {
  if (relativeTimer) return;
  relativeTimer = setInterval(() => {
    for (const t of document.querySelectorAll('time.md-timestamp[data-format="R"]')) {
      const d = new Date(t.dateTime);
      if (!Number.isNaN(d.getTime())) t.textContent = relativeTime(d);
    }
  }, 30000);
}

function timestamp(r, node) {
  const v = node.value || {};
  const format = str(v.format) || 't';
  const secs = Number(str(v.timestamp));
  const date = new Date(secs * 1000);
  const t = el('time', 'md-timestamp');
  t.dataset.format = format;
  if (!str(v.timestamp) || Number.isNaN(date.getTime())) {
    t.textContent = sourceSlice(r, node.fallback) ?? str(v.timestamp);
    return t;
  }
  t.dateTime = date.toISOString();
  // toLocaleString's numeric format, from a cached formatter: building one
  // per call is the slowest step of drawing a timestamp.
  t.title = dtf('title', { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(date);
  try {
    t.textContent = formatTimestamp(date, format);
  } catch {
    t.textContent = date.toUTCString();
  }
  if (format === 'R') watchRelative();
  return t;
}

// ---- colours ----

function color(node) {
  const v = node.value || {};
  const n = (x, d) => {
    const k = Number(x);
    return Number.isFinite(k) ? Math.min(255, Math.max(0, Math.round(k))) : d;
  };
  const r = n(v.r, 0), g = n(v.g, 0), b = n(v.b, 0), a = n(v.a, 255);
  const pct = Math.round((a / 255) * 10000) / 100;
  const css = `rgba(${r}, ${g}, ${b}, ${pct}%)`;
  const swatch = el('span', 'md-color-swatch');
  // CSSOM writes are allowed under the page's style-src 'self' policy,
  // unlike style attributes.
  swatch.style.backgroundColor = css;
  swatch.setAttribute('aria-hidden', 'true');
  return el('span', 'md-color', swatch, css);
}

// ---- links and images ----

function link(r, node) {
  const v = node.value || {};
  const src = leafText(v.src);
  const label = Array.isArray(v.label) ? v.label : v.label ? [v.label] : [];
  const kids = inlines(r, label);
  const u = safeUrl(src);
  if (!u) {
    // Unsafe or unparsable target: keep the words, drop the link.
    const s = el('span', 'md-link-text');
    if (kids.length) s.append(...kids);
    else s.append(src);
    return s;
  }
  // A quote reply starts with "[ ](permalink?msg=id)" and the server adds
  // the quoted message as an attachment; the blank link itself would only be
  // an underlined space.
  if (u.internal && !label.some((n) => leafText(n?.value).trim() !== '' || n?.type !== 'PLAIN_TEXT') && new URL(u.href).searchParams.has('msg')) {
    return null;
  }
  const a = el('a', 'md-link');
  a.href = u.href;
  a.title = u.href;
  if (u.internal) {
    a.dataset.internal = '1';
  } else {
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  }
  if (kids.length) a.append(...kids);
  else a.append(src);
  return a;
}

function image(r, node) {
  const v = node.value || {};
  const src = leafText(v.src);
  const alt = leafText(v.label) || src;
  const u = safeUrl(src, { mailto: false });
  if (!u) return document.createTextNode(alt);
  const img = el('img', 'md-image');
  // Attributes that shape the request go before src, which starts it.
  img.loading = 'lazy';
  img.referrerPolicy = 'no-referrer';
  img.src = u.href;
  img.alt = alt;
  img.decoding = 'async';
  const a = el('a', 'md-image-link', img);
  a.href = u.href;
  a.title = alt;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (r.onOpenImage) {
    a.addEventListener('click', (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      r.onOpenImage(u.href);
    });
  }
  return a;
}

// ---- code ----

function codeBlock(node) {
  const lines = (Array.isArray(node.value) ? node.value : []).map((l) => leafText(l?.value));
  const code = el('code', 'md-code', lines.join('\n'));
  const lang = str(node.language).trim().split(/\s+/)[0].replace(/[^A-Za-z0-9_.+#-]/g, '');
  if (lang && lang !== 'none') {
    code.classList.add('language-' + lang);
    code.dataset.language = lang;
  }
  const pre = el('pre', 'md-pre', code);
  // The button's words come from CSS (::after), so that the message's text,
  // and text selected across it, holds only the code.
  const copy = el('button', 'md-copy');
  copy.type = 'button';
  copy.setAttribute('aria-label', 'Copy code');
  copy.title = 'Copy';
  copy.addEventListener('click', async (e) => {
    e.stopPropagation();
    try {
      await navigator.clipboard.writeText(code.textContent);
      copy.dataset.state = 'copied';
    } catch {
      // Clipboard access needs a secure context; select the code instead so
      // that Ctrl+C works.
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      copy.dataset.state = 'selected';
    }
    setTimeout(() => { delete copy.dataset.state; }, 1500);
  });
  return el('div', 'md-codeblock', pre, copy);
}

// ---- search terms ----

// highlightPattern turns a search text into one case-insensitive pattern
// of its words, or null when there is nothing to mark.
function highlightPattern(text) {
  const words = str(text).trim().split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return words.length ? new RegExp(words.join('|'), 'giu') : null;
}

function highlighted(text, re) {
  const frag = document.createDocumentFragment();
  let last = 0;
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    if (!m[0]) continue;
    if (m.index > last) frag.append(text.slice(last, m.index));
    frag.append(el('mark', 'md-highlight', m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

// ---- dispatch ----

function sourceSlice(r, fallback) {
  if (!Array.isArray(fallback) || fallback.length !== 2) return null;
  const src = str(r.msg?.msg);
  const [a, b] = fallback;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b > src.length) return null;
  return src.slice(a, b);
}

function inline(r, node) {
  if (!node || typeof node !== 'object') return null;
  switch (node.type) {
    case 'PLAIN_TEXT':
      return r.highlight ? highlighted(str(node.value), r.highlight) : document.createTextNode(str(node.value));
    case 'BOLD':
      return el('strong', null, ...inlines(r, node.value));
    case 'ITALIC':
      return el('em', null, ...inlines(r, node.value));
    case 'STRIKE':
      return el('del', null, ...inlines(r, node.value));
    case 'SPOILER':
      return spoiler(false, inlines(r, node.value));
    case 'INLINE_CODE':
      return el('code', 'md-code inline', leafText(node.value));
    case 'LINK':
      return link(r, node);
    case 'IMAGE':
      return image(r, node);
    case 'MENTION_USER':
      return userMention(r, leafText(node.value));
    case 'MENTION_CHANNEL':
      return channelMention(r, leafText(node.value));
    case 'EMOJI':
      return emojiNode(node, false);
    case 'COLOR':
      return color(node);
    case 'INLINE_KATEX':
      return el('code', 'md-katex inline', str(node.value));
    case 'TIMESTAMP':
      return timestamp(r, node);
    default: {
      const f = node.fallback;
      if (f && typeof f === 'object' && !Array.isArray(f) && f.type === 'PLAIN_TEXT') return document.createTextNode(str(f.value));
      const s = sourceSlice(r, f);
      return s == null ? null : document.createTextNode(s);
    }
  }
}

function inlines(r, list) {
  if (!Array.isArray(list)) list = list ? [list] : [];
  const out = [];
  for (const n of list) {
    const x = inline(r, n);
    if (x) out.push(x);
  }
  return out;
}

function paragraph(r, node) {
  const kids = inlines(r, node.value);
  const p = el('div', 'md-p', ...kids);
  // An empty paragraph (a bare ">" line in a quote) still takes a line.
  if (!kids.length) p.append(el('br'));
  return p;
}

function listItem(r, item, withNumber) {
  const li = el('li', null, ...inlines(r, item?.value));
  if (withNumber && Number.isInteger(item?.number)) li.value = item.number;
  // Newer parsers nest lists; older ones never do. Either shape renders.
  const nested = item?.children ?? item?.nested;
  if (Array.isArray(nested)) li.append(...blocks(r, nested));
  else if (nested && typeof nested === 'object') li.append(...blocks(r, [nested]));
  return li;
}

function tableCell(r, cell, tag) {
  const c = el(tag, null, ...inlines(r, cell?.value));
  if (cell?.align === 'left' || cell?.align === 'center' || cell?.align === 'right') c.classList.add('align-' + cell.align);
  return c;
}

function table(r, node) {
  const v = node.value || {};
  const head = el('tr', null, ...(Array.isArray(v.header) ? v.header : []).map((c) => tableCell(r, c, 'th')));
  const body = el('tbody', null, ...(Array.isArray(v.rows) ? v.rows : []).map((row) =>
    el('tr', null, ...(Array.isArray(row?.value) ? row.value : []).map((c) => tableCell(r, c, 'td')))));
  return el('div', 'md-table-wrap', el('table', 'md-table', el('thead', null, head), body));
}

function block(r, node) {
  if (!node || typeof node !== 'object') return null;
  switch (node.type) {
    case 'PARAGRAPH':
      return paragraph(r, node);
    case 'LINE_BREAK':
      return el('br');
    case 'HEADING': {
      const level = Math.min(4, Math.max(1, Number(node.level) || 1));
      return el('h' + level, 'md-h', ...inlines(r, node.value));
    }
    case 'QUOTE':
      return el('blockquote', 'md-quote', ...blocks(r, node.value));
    case 'SPOILER_BLOCK':
      return spoiler(true, blocks(r, node.value));
    case 'CODE':
      return codeBlock(node);
    case 'UNORDERED_LIST':
      return el('ul', 'md-ul', ...(Array.isArray(node.value) ? node.value : []).map((i) => listItem(r, i, false)));
    case 'ORDERED_LIST':
      return el('ol', 'md-ol', ...(Array.isArray(node.value) ? node.value : []).map((i) => listItem(r, i, true)));
    case 'TASKS':
      return el('ul', 'md-tasks task-list', ...(Array.isArray(node.value) ? node.value : []).map((t) => {
        const box = el('input', 'md-task-box');
        box.type = 'checkbox';
        box.checked = !!t?.status;
        box.disabled = true;
        return el('li', t?.status ? 'md-task done' : 'md-task', el('label', null, box, ' ', ...inlines(r, t?.value)));
      }));
    case 'KATEX': {
      const d = el('div', 'md-katex', el('code', null, str(node.value)));
      d.setAttribute('role', 'math');
      d.setAttribute('aria-label', str(node.value));
      return d;
    }
    case 'BIG_EMOJI':
      return el('div', 'md-big-emoji', ...(Array.isArray(node.value) ? node.value : []).map((e) => emojiNode(e, true)));
    case 'HORIZONTAL_RULE':
      return el('hr', 'md-hr');
    case 'TABLE':
      return table(r, node);
    default: {
      const s = sourceSlice(r, node.fallback);
      return s == null ? null : el('div', 'md-p', s);
    }
  }
}

function blocks(r, list) {
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const n of list) {
    const x = block(r, n);
    if (x) out.push(x);
  }
  return out;
}

// plainParagraphs shows a text with its line breaks, for messages without md.
export function plainParagraphs(text) {
  const frag = document.createDocumentFragment();
  for (const line of str(text).split(/\r\n|\r|\n/)) frag.append(el('div', 'md-p', line || el('br')));
  return frag;
}

// renderMd(md, {msg, me, useRealName, onOpenChannel, onOpenUser, onOpenImage,
// highlight}) returns a DocumentFragment. highlight is a search text whose
// words are marked (<mark class="md-highlight">) in the message's plain
// text. A tree this renderer cannot walk falls back to msg.msg as plain
// text, so a message never disappears.
export function renderMd(md, opts = {}) {
  const r = {
    msg: opts.msg || {},
    me: opts.me || null,
    useRealName: !!opts.useRealName,
    onOpenChannel: opts.onOpenChannel,
    onOpenUser: opts.onOpenUser,
    onOpenImage: opts.onOpenImage,
    highlight: opts.highlight ? highlightPattern(opts.highlight) : null,
  };
  const frag = document.createDocumentFragment();
  try {
    frag.append(...blocks(r, md));
  } catch (err) {
    console.warn('md render failed', err);
    return plainParagraphs(r.msg.msg);
  }
  return frag;
}

// ---- one-line text (previews, notifications) ----

function inlineText(r, node) {
  if (!node || typeof node !== 'object') return '';
  switch (node.type) {
    case 'PLAIN_TEXT':
      return str(node.value);
    case 'BOLD':
    case 'ITALIC':
    case 'STRIKE':
      return inlinesText(r, node.value);
    case 'SPOILER':
      // Previews end up in notifications and the sidebar, where a spoiler
      // cannot stay hidden.
      return '(spoiler)';
    case 'INLINE_CODE':
      return leafText(node.value);
    case 'LINK': {
      const label = inlinesText(r, node.value?.label);
      return label || leafText(node.value?.src);
    }
    case 'IMAGE':
      return leafText(node.value?.label) || leafText(node.value?.src);
    case 'MENTION_USER': {
      const name = leafText(node.value);
      const m = r.useRealName ? findUserMention(r.msg, name) : null;
      return '@' + (m?.name && m.type !== 'team' ? m.name : name);
    }
    case 'MENTION_CHANNEL':
      return '#' + leafText(node.value);
    case 'EMOJI': {
      if (node.unicode) return str(node.unicode);
      const code = str(node.shortCode) || leafText(node.value);
      return emojiFor(code) ?? (leafText(node.value) !== code ? leafText(node.value) : `:${code}:`);
    }
    case 'COLOR': {
      const v = node.value || {};
      return `rgba(${v.r}, ${v.g}, ${v.b}, ${Math.round((Number(v.a) / 255) * 10000) / 100}%)`;
    }
    case 'INLINE_KATEX':
      return str(node.value);
    case 'TIMESTAMP': {
      const d = new Date(Number(str(node.value?.timestamp)) * 1000);
      if (Number.isNaN(d.getTime())) return sourceSlice(r, node.fallback) ?? '';
      return formatTimestamp(d, str(node.value?.format) || 't');
    }
    default:
      return node.fallback?.type === 'PLAIN_TEXT' ? str(node.fallback.value) : sourceSlice(r, node.fallback) ?? '';
  }
}

function inlinesText(r, list) {
  if (!Array.isArray(list)) list = list ? [list] : [];
  return list.map((n) => inlineText(r, n)).join('');
}

function blockText(r, node) {
  if (!node || typeof node !== 'object') return '';
  switch (node.type) {
    case 'PARAGRAPH':
    case 'HEADING':
      return inlinesText(r, node.value);
    case 'QUOTE':
      return (node.value || []).map((b) => blockText(r, b)).join(' ');
    case 'SPOILER_BLOCK':
      return '(spoiler)';
    case 'CODE':
      return (node.value || []).map((l) => leafText(l?.value)).join(' ');
    case 'UNORDERED_LIST':
    case 'ORDERED_LIST':
    case 'TASKS':
      return (node.value || []).map((i) => inlinesText(r, i?.value)).join(' ');
    case 'KATEX':
      return str(node.value);
    case 'BIG_EMOJI':
      return (node.value || []).map((e) => inlineText(r, e)).join(' ');
    case 'TABLE':
      return sourceSlice(r, node.fallback) ?? '';
    case 'LINE_BREAK':
    case 'HORIZONTAL_RULE':
      return '';
    default:
      return sourceSlice(r, node.fallback) ?? '';
  }
}

// mdText flattens an md tree to one line of plain text: formatting dropped,
// mentions as @name/#name, emoji as characters (or :name: before the table
// has loaded). Used for previews, where nothing is enlarged or clickable.
export function mdText(md, opts = {}) {
  const r = { msg: opts.msg || {}, useRealName: !!opts.useRealName };
  if (!Array.isArray(md)) return '';
  try {
    return md.map((b) => blockText(r, b)).filter((s) => s !== '').join(' ').replace(/\s+/g, ' ').trim();
  } catch {
    return str(r.msg.msg).replace(/\s+/g, ' ').trim();
  }
}
