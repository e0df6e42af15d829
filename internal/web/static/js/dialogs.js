// Modal dialogs on <dialog>: focus is trapped by the browser, Escape
// closes, focus returns to where it was.
import { h, clear } from './dom.js';

export function openDialog(title, body, { onClose, className } = {}) {
  const prev = document.activeElement;
  const heading = h('h2', { id: 'dlg-' + Math.random().toString(36).slice(2) }, title);
  const d = h('dialog', { class: 'dialog ' + (className || ''), 'aria-labelledby': heading.id, 'aria-label': title }, heading, body);
  document.body.append(d);
  d.addEventListener('close', () => {
    d.remove();
    if (onClose) onClose();
    if (prev && prev.isConnected) prev.focus();
  });
  // A click on the backdrop (the dialog box itself, outside its content)
  // closes it.
  d.addEventListener('click', (e) => { if (e.target === d) d.close(); });
  d.showModal();
  const first = d.querySelector('input, textarea, select, button:not([data-close])');
  if (first) first.focus();
  return d;
}

// formDialog: labelled inputs and a submit button; onSubmit may throw to
// show an error and keep the dialog open.
export function formDialog(title, fields, submit, onSubmit) {
  const err = h('p', { role: 'alert', class: 'error', hidden: true });
  const inputs = {};
  const rows = fields.map((f) => {
    const id = 'f-' + Math.random().toString(36).slice(2);
    const input = h('input', { id, name: f.name, type: f.type || 'text', required: f.required, autocomplete: 'off', list: f.list });
    inputs[f.name] = input;
    return f.type === 'checkbox'
      ? h('div', { class: 'check' }, input, h('label', { for: id }, f.label))
      : h('div', { class: 'field' }, h('label', { for: id }, f.label), input);
  });
  const btn = h('button', { type: 'submit', class: 'primary' }, submit);
  const cancel = h('button', { type: 'button', 'data-close': '1' }, 'Cancel');
  const form = h('form', { method: 'dialog' }, rows, err, h('div', { class: 'buttons' }, cancel, btn));
  const d = openDialog(title, form);
  cancel.addEventListener('click', () => d.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    btn.disabled = true;
    err.hidden = true;
    try {
      const values = {};
      for (const [k, el] of Object.entries(inputs)) values[k] = el.type === 'checkbox' ? el.checked : el.value.trim();
      await onSubmit(values);
      d.close();
    } catch (e2) {
      err.textContent = e2.message || 'Failed';
      err.hidden = false;
      btn.disabled = false;
    }
  });
  return d;
}

export function confirmDialog(title, text, yes) {
  return new Promise((resolve) => {
    let ok = false;
    const yesB = h('button', { type: 'button', class: 'danger' }, yes);
    const no = h('button', { type: 'button' }, 'Cancel');
    const d = openDialog(title, h('div', null, h('p', null, text), h('div', { class: 'buttons' }, no, yesB)),
      { onClose: () => resolve(ok) });
    yesB.addEventListener('click', () => { ok = true; d.close(); });
    no.addEventListener('click', () => d.close());
    no.focus();
  });
}

// emojiPicker lists emoji.js's table, loaded on first use, with a search.
export async function emojiPicker(onPick) {
  const { emojiList, loadEmoji } = await import('./emoji.js');
  await loadEmoji();
  const all = emojiList();
  const input = h('input', { type: 'search', 'aria-label': 'Search emoji', placeholder: 'Search emoji' });
  const grid = h('div', { class: 'emoji-grid' });
  const d = openDialog('Emoji picker', h('div', null, input, grid), { className: 'picker' });
  const show = () => {
    clear(grid);
    const q = input.value.trim().toLowerCase().replace(/:/g, '');
    let n = 0;
    for (const e of all) {
      if (q && !e.name.includes(q)) continue;
      grid.append(h('button', { type: 'button', 'data-emoji': ':' + e.name + ':', title: ':' + e.name + ':', 'aria-label': e.name }, e.char));
      if (++n >= 400) break;
    }
  };
  grid.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-emoji]');
    if (!b) return;
    d.close();
    onPick(b.dataset.emoji);
  });
  input.addEventListener('input', show);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); const b = grid.querySelector('button'); if (b) b.click(); }
  });
  show();
  input.focus();
}

export function imageViewer(url) {
  const img = h('img', { src: url, alt: '' });
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '×');
  const d = openDialog('Image', h('div', { class: 'viewer' }, close, h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, img)), { className: 'image' });
  close.addEventListener('click', () => d.close());
}
