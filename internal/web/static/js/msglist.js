// A message list with a bounded DOM: every message of the room stays in
// memory, but at most MAX of them are elements at any time, the window
// sliding as one scrolls. Day separators and grouping come from
// message.js's rules, computed against the message before in memory.
import { h, dayLabel, toDate } from './dom.js';
import { renderMessage, updateMessage, isSequential, isNewDay } from './message.js';

const MAX = 300;   // elements kept at most
const STEP = 60;   // messages added or dropped at a time
const EDGE = 400;  // px from an end that counts as "near"

const ts = (m) => {
  const v = m.ts && (m.ts.$date ?? m.ts);
  return typeof v === 'number' ? v : Date.parse(v) || 0;
};

export class MessageList {
  // opts: {label, ctx(msg) -> ctx without sequential, grouping() seconds,
  //        loadOlder() -> Promise<bool more>, onScroll()}
  constructor(opts) {
    this.opts = opts;
    this.el = h('div', { role: 'log', 'aria-label': opts.label, class: 'messages', tabindex: '0' });
    this.msgs = [];
    this.byId = new Map();
    this.nodes = new Map(); // id -> {art, day}
    this.lo = 0;
    this.hi = 0;
    this.loading = false;
    this.done = false;
    // stuck: the view follows the newest message. It is decided when the
    // list scrolls; growth that scrolls nothing (an image above that
    // finishes loading, the list getting shorter as the composer grows)
    // keeps it at the bottom.
    this.stuck = true;
    this.el.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.addEventListener('load', () => this.keep(), true);
    new ResizeObserver(() => this.keep()).observe(this.el);
  }

  keep() { if (this.stuck) this.el.scrollTop = this.el.scrollHeight; }
  nearBottom() { const e = this.el; return e.scrollHeight - e.scrollTop - e.clientHeight < 80; }
  scrollToBottom() { this.stuck = true; this.el.scrollTop = this.el.scrollHeight; }

  // render builds the elements of msgs[i]: an optional day separator and
  // the article.
  build(i) {
    const m = this.msgs[i];
    const prev = i > 0 ? this.msgs[i - 1] : null;
    const ctx = this.opts.ctx(m);
    ctx.sequential = !!prev && isSequential(prev, m, this.opts.grouping()) && !isNewDay(prev, m);
    const art = renderMessage(m, ctx);
    art.dataset.id = m._id;
    let day = null;
    if (!prev || isNewDay(prev, m)) {
      const d = toDate(m.ts) || new Date();
      day = h('div', { class: 'day', role: 'separator', 'aria-label': dayLabel(d) }, h('span', null, dayLabel(d)));
    }
    const n = { art, day };
    this.nodes.set(m._id, n);
    return n;
  }

  frag(from, to) {
    const f = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const n = this.build(i);
      if (n.day) f.append(n.day);
      f.append(n.art);
    }
    return f;
  }

  drop(i) {
    const n = this.nodes.get(this.msgs[i]._id);
    if (!n) return;
    n.art.remove();
    if (n.day) n.day.remove();
    this.nodes.delete(this.msgs[i]._id);
  }

  // rebuild re-renders msgs[i] in place, when its neighbour changed.
  rebuild(i) {
    if (i < this.lo || i >= this.hi) return;
    const old = this.nodes.get(this.msgs[i]._id);
    const n = this.build(i);
    if (!old) return;
    if (n.day) old.art.before(n.day);
    old.art.replaceWith(n.art);
    if (old.day) old.day.remove();
  }

  // set shows a fresh list (oldest first) ending with the newest.
  set(list, done) {
    this.msgs = list.slice().sort((a, b) => ts(a) - ts(b));
    this.byId = new Map(this.msgs.map((m) => [m._id, m]));
    this.nodes.clear();
    this.done = done;
    this.hi = this.msgs.length;
    this.lo = Math.max(0, this.hi - Math.min(MAX, 100));
    this.el.replaceChildren(this.frag(this.lo, this.hi));
    this.scrollToBottom();
  }

  // older adds messages from before the oldest one held.
  older(list, done) {
    this.done = done;
    const fresh = list.filter((m) => !this.byId.has(m._id)).sort((a, b) => ts(a) - ts(b));
    if (!fresh.length) return;
    for (const m of fresh) this.byId.set(m._id, m);
    this.msgs = fresh.concat(this.msgs);
    this.lo += fresh.length;
    this.hi += fresh.length;
    this.showOlder();
  }

  showOlder() {
    if (this.lo === 0) return false;
    const e = this.el;
    const from = Math.max(0, this.lo - STEP);
    const before = e.scrollHeight;
    const firstOld = this.lo;
    // The first element held may lose its separator or start a group.
    const f = this.frag(from, this.lo);
    e.prepend(f);
    this.lo = from;
    this.rebuild(firstOld);
    e.scrollTop += e.scrollHeight - before;
    while (this.hi - this.lo > MAX) this.drop(--this.hi);
    return true;
  }

  showNewer() {
    if (this.hi >= this.msgs.length) return false;
    const e = this.el;
    const to = Math.min(this.msgs.length, this.hi + STEP);
    e.append(this.frag(this.hi, to));
    this.hi = to;
    const before = e.scrollHeight;
    let dropped = false;
    while (this.hi - this.lo > MAX) { this.drop(this.lo++); dropped = true; }
    if (dropped) { e.scrollTop -= before - e.scrollHeight; this.rebuild(this.lo); }
    return true;
  }

  async onScroll() {
    const e = this.el;
    this.stuck = this.nearBottom() && this.hi === this.msgs.length;
    if (e.scrollTop < EDGE) {
      if (!this.showOlder() && !this.done && !this.loading && this.opts.loadOlder) {
        this.loading = true;
        try { await this.opts.loadOlder(); } finally { this.loading = false; }
      }
    } else if (e.scrollHeight - e.scrollTop - e.clientHeight < EDGE) {
      this.showNewer();
    }
    if (this.opts.onScroll) this.opts.onScroll();
  }

  // upsert adds a new message or updates a held one.
  upsert(m) {
    const old = this.byId.get(m._id);
    if (old) {
      const i = this.msgs.indexOf(old);
      this.msgs[i] = m;
      this.byId.set(m._id, m);
      const n = this.nodes.get(m._id);
      if (n) {
        const ctx = this.opts.ctx(m);
        const prev = i > 0 ? this.msgs[i - 1] : null;
        ctx.sequential = !!prev && isSequential(prev, m, this.opts.grouping()) && !isNewDay(prev, m);
        updateMessage(n.art, m, ctx);
        n.art.dataset.id = m._id;
      }
      return;
    }
    const stick = this.stuck || this.nearBottom();
    const atEnd = this.hi === this.msgs.length;
    // Messages almost always arrive last; otherwise find the place.
    let i = this.msgs.length;
    while (i > 0 && ts(this.msgs[i - 1]) > ts(m)) i--;
    this.msgs.splice(i, 0, m);
    this.byId.set(m._id, m);
    if (i < this.lo) { this.lo++; this.hi++; return; }
    if (i > this.hi || (i === this.hi && !atEnd)) return;
    const n = this.build(i);
    const next = this.nodes.get(this.msgs[i + 1]?._id);
    const anchor = next ? (next.day || next.art) : null;
    if (n.day) this.el.insertBefore(n.day, anchor);
    this.el.insertBefore(n.art, anchor);
    this.hi++;
    if (next) this.rebuild(i + 1);
    if (stick) {
      while (this.hi - this.lo > MAX) this.drop(this.lo++);
      this.rebuild(this.lo);
      this.scrollToBottom();
    }
  }

  remove(id) {
    const m = this.byId.get(id);
    if (!m) return;
    const i = this.msgs.indexOf(m);
    const rendered = i >= this.lo && i < this.hi;
    if (rendered) this.drop(i);
    this.msgs.splice(i, 1);
    this.byId.delete(id);
    if (i < this.lo) { this.lo--; this.hi--; } else if (rendered) { this.hi--; this.rebuild(i); }
  }

  // reveal shows the message with this id, when it is held, scrolls to it
  // and highlights it.
  reveal(id) {
    const m = this.byId.get(id);
    if (!m) return false;
    const i = this.msgs.indexOf(m);
    if (i < this.lo || i >= this.hi) {
      this.lo = Math.max(0, i - MAX / 2);
      this.hi = Math.min(this.msgs.length, this.lo + MAX);
      this.nodes.clear();
      this.el.replaceChildren(this.frag(this.lo, this.hi));
    }
    const n = this.nodes.get(id);
    this.stuck = false;
    n.art.scrollIntoView({ block: 'center' });
    n.art.classList.add('highlight');
    setTimeout(() => n.art.classList.remove('highlight'), 3000);
    return true;
  }

  last(pred) {
    for (let i = this.msgs.length - 1; i >= 0; i--) if (pred(this.msgs[i])) return this.msgs[i];
    return null;
  }

  newest() { return this.msgs[this.msgs.length - 1] || null; }
  oldest() { return this.msgs[0] || null; }
}
