// The composer: Enter sends, Shift+Enter breaks the line, Up in an empty
// composer edits my last message, @ and # complete, files go up by button,
// drop or paste with a progress bar, and typing is announced.
import { h, clear, toast, debounce } from './dom.js';
import { get, post, upload, randomId } from './api.js';
import { state, setting } from './state.js';

const TYPING_IDLE = 4000;

export class Composer {
  // opts: {rid, t, tmid, label, onSent(msg), lastOwn() -> msg}
  constructor(opts) {
    this.opts = opts;
    this.editing = null;
    this.typing = false;
    this.input = h('textarea', { 'aria-label': opts.label, rows: 1, placeholder: opts.tmid ? 'Reply in thread' : 'Message', 'aria-autocomplete': 'list', enterkeyhint: 'send' });
    this.list = h('ul', { role: 'listbox', class: 'completion', hidden: true, 'aria-label': 'Suggestions' });
    this.file = h('input', { type: 'file', class: 'visually-hidden', tabindex: '-1', 'aria-label': 'File to upload', multiple: true });
    this.uploadBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Upload file', title: 'Upload file' }, '📎');
    this.sendBtn = h('button', { type: 'button', class: 'icon-btn send', 'aria-label': 'Send', title: 'Send' }, '➤');
    this.editNote = h('div', { class: 'edit-note', hidden: true }, 'Editing message. Enter saves, Escape cancels.');
    this.progress = h('div', { class: 'uploads' });
    this.el = h('div', { class: 'composer' + (opts.tmid ? ' thread-composer' : '') },
      this.list, this.editNote, this.progress,
      h('div', { class: 'composer-row' }, this.uploadBtn, this.file, this.input, this.sendBtn));
    this.items = [];
    this.sel = 0;
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => { this.autosize(); this.onInput(); });
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (files.length) { e.preventDefault(); this.uploadFiles(files); }
    });
    this.input.addEventListener('blur', () => setTimeout(() => this.closeList(), 150));
    this.uploadBtn.addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => { this.uploadFiles([...this.file.files]); this.file.value = ''; });
    this.sendBtn.addEventListener('click', () => this.submit());
    this.stopTypingSoon = debounce(() => this.setTyping(false), TYPING_IDLE);
    // Typing that started before the socket was up is announced once it is.
    this.offResumed = state.ddp ? state.ddp.on('resumed', () => {
      this.typing = false;
      if (this.input.value && document.activeElement === this.input && !this.editing) { this.setTyping(true); this.stopTypingSoon(); }
    }) : () => {};
  }

  destroy() {
    this.setTyping(false);
    this.offResumed();
  }

  // dropTarget makes an element accept dropped files for this composer.
  dropTarget(el) {
    el.addEventListener('dragover', (e) => {
      if ([...e.dataTransfer.types].includes('Files')) { e.preventDefault(); el.classList.add('dropping'); }
    });
    el.addEventListener('dragleave', (e) => { if (e.target === el) el.classList.remove('dropping'); });
    el.addEventListener('drop', (e) => {
      el.classList.remove('dropping');
      const files = [...(e.dataTransfer?.files || [])];
      if (files.length) { e.preventDefault(); this.uploadFiles(files); }
    });
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 200) + 'px';
  }

  focus() { this.input.focus(); }

  onKey(e) {
    if (!this.list.hidden && this.items.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.select((this.sel + (e.key === 'ArrowDown' ? 1 : -1) + this.items.length) % this.items.length);
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) { e.preventDefault(); this.pick(this.sel); return; }
      if (e.key === 'Escape') { e.preventDefault(); this.closeList(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape' && this.editing) {
      e.preventDefault();
      this.cancelEdit();
    } else if (e.key === 'ArrowUp' && this.input.value === '' && !this.editing) {
      const m = this.opts.lastOwn();
      if (m) { e.preventDefault(); this.startEdit(m); }
    }
  }

  startEdit(m) {
    this.editing = m;
    this.input.value = m.msg || '';
    this.editNote.hidden = false;
    this.el.classList.add('editing');
    this.autosize();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  cancelEdit() {
    this.editing = null;
    this.input.value = '';
    this.editNote.hidden = true;
    this.el.classList.remove('editing');
    this.autosize();
  }

  async submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    const { rid, tmid } = this.opts;
    this.setTyping(false);
    if (this.editing) {
      const m = this.editing;
      this.cancelEdit();
      if (text === m.msg) return;
      try { await post('chat.update', { roomId: rid, msgId: m._id, text }); } catch (e) { toast(e.message, 'error'); this.startEdit(m); this.input.value = text; }
      return;
    }
    this.input.value = '';
    this.autosize();
    const message = { _id: randomId(), rid, msg: text };
    if (tmid) message.tmid = tmid;
    try {
      const r = await post('chat.sendMessage', { message });
      if (this.opts.onSent) this.opts.onSent(r.message);
    } catch (e) {
      toast(e.message || 'Message not sent', 'error');
      if (!this.input.value) { this.input.value = text; this.autosize(); }
    }
  }

  onInput() {
    if (this.input.value && !this.editing) { this.setTyping(true); this.stopTypingSoon(); } else this.setTyping(false);
    this.complete();
  }

  setTyping(on) {
    if (this.typing === on) return;
    const ddp = state.ddp;
    if (!ddp || !ddp.online) return;
    this.typing = on;
    const extra = this.opts.tmid ? { tmid: this.opts.tmid } : {};
    ddp.call('stream-notify-room', this.opts.rid + '/user-activity', state.me.username, on ? ['user-typing'] : [], extra).catch(() => {});
  }

  // Completion of @user and #channel at the caret.
  async complete() {
    const upto = this.input.value.slice(0, this.input.selectionStart);
    const m = /(^|\s)([@#])([\p{L}\p{N}._-]*)$/u.exec(upto);
    if (!m) return this.closeList();
    const [, , sigil, term] = m;
    const q = term.toLowerCase();
    let items = [];
    try {
      if (sigil === '@') {
        const members = await this.members();
        items = members.filter((u) => u.username && (u.username.toLowerCase().startsWith(q) || (u.name || '').toLowerCase().startsWith(q)))
          .slice(0, 8).map((u) => ({ value: u.username, label: u.username, note: u.name }));
        for (const special of ['all', 'here']) if (special.startsWith(q)) items.push({ value: special, label: special, note: 'notify everyone' + (special === 'here' ? ' online' : '') });
      } else {
        const r = await get('rooms.autocomplete.channelAndPrivate', { selector: { name: term } });
        items = (r.items || []).slice(0, 8).map((x) => ({ value: x.name, label: x.name, note: x.fname && x.fname !== x.name ? x.fname : '' }));
      }
    } catch { items = []; }
    // The text may have moved on while we waited.
    if (this.input.value.slice(0, this.input.selectionStart) !== upto) return;
    this.items = items.map((x) => ({ ...x, sigil, start: upto.length - term.length - 1 }));
    if (!this.items.length) return this.closeList();
    clear(this.list);
    this.items.forEach((it, i) => {
      const li = h('li', { role: 'option', id: 'opt-' + i + '-' + this.opts.rid, 'aria-selected': 'false' },
        h('span', { class: 'opt-main' }, sigil + it.label), it.note ? h('span', { class: 'opt-note' }, ' ' + it.note) : null);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); this.pick(i); });
      this.list.append(li);
    });
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.select(0);
  }

  async members() {
    if (this.memberCache && Date.now() - this.memberCache.at < 60000) return this.memberCache.list;
    const fam = { c: 'channels', p: 'groups', d: 'dm' }[this.opts.t] || 'channels';
    const r = await get(fam + '.members', { roomId: this.opts.rid, count: 200 });
    this.memberCache = { at: Date.now(), list: r.members || [] };
    return this.memberCache.list;
  }

  select(i) {
    this.sel = i;
    [...this.list.children].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    const cur = this.list.children[i];
    if (cur) { this.input.setAttribute('aria-activedescendant', cur.id); cur.scrollIntoView({ block: 'nearest' }); }
  }

  pick(i) {
    const it = this.items[i];
    if (!it) return;
    const v = this.input.value;
    const caret = this.input.selectionStart;
    const insert = it.sigil + it.value + ' ';
    this.input.value = v.slice(0, it.start) + insert + v.slice(caret);
    const pos = it.start + insert.length;
    this.input.setSelectionRange(pos, pos);
    this.closeList();
    this.input.focus();
  }

  closeList() {
    this.list.hidden = true;
    this.items = [];
    this.input.removeAttribute('aria-activedescendant');
    this.input.setAttribute('aria-expanded', 'false');
  }

  async uploadFiles(files) {
    if (setting('FileUpload_Enabled', true) === false) { toast('File uploads are disabled on this server.', 'error'); return; }
    const max = setting('FileUpload_MaxFileSize', -1);
    for (const f of files) {
      if (max > 0 && f.size > max) { toast(f.name + ' is larger than this server accepts.', 'error'); continue; }
      const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Uploading ' + f.name });
      const row = h('div', { class: 'upload' }, h('span', { class: 'upload-name' }, f.name), bar);
      this.progress.append(row);
      try {
        const r = await upload(this.opts.rid, f, { tmid: this.opts.tmid, onProgress: (p) => { bar.value = p; } });
        if (r && r.message && this.opts.onSent) this.opts.onSent(r.message);
      } catch (e) {
        toast('Upload of ' + f.name + ' failed: ' + e.message, 'error');
      } finally {
        row.remove();
      }
    }
  }
}
