// Shortcode to Unicode lookup for the emojione 4.5.0 set the server accepts.
//
// The table (emoji-data.js, about 24 KB compressed) is fetched with a dynamic
// import the first time something asks for it, so it never delays the first
// page. Until it has arrived emojiFor answers null and callers show ":name:";
// markdown.js upgrades such placeholders in place once loadEmoji resolves.

let byName = null;
let list = null;
let loading = null;
const waiting = new Set();

function parse(text) {
  byName = new Map();
  list = [];
  let category = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('=')) {
      category = line.slice(1);
      continue;
    }
    const parts = line.split(' ');
    const char = parts[0];
    for (let i = 1; i < parts.length; i++) {
      byName.set(parts[i], char);
    }
    // "-" holds skin-tone variants and other entries that resolve by name
    // but do not belong in a picker.
    if (category !== '-') {
      list.push({ name: parts[1], char, category, aliases: parts.slice(2) });
    }
  }
}

// loadEmoji fetches and indexes the table once; every call returns the same
// promise. It resolves (to nothing) even if the table cannot be fetched, so
// callers can await it unconditionally; emoji then stay as ":name:" text.
export function loadEmoji() {
  if (!loading) {
    loading = import('./emoji-data.js').then(
      (m) => parse(m.default),
      (err) => {
        loading = null;
        console.warn('emoji table unavailable', err);
      },
    ).then(() => {
      const cbs = [...waiting];
      waiting.clear();
      for (const cb of cbs) cb();
    });
  }
  return loading;
}

// emojiLoaded reports whether emojiFor can answer yet.
export function emojiLoaded() {
  return byName !== null;
}

// whenEmojiLoaded runs cb once the table has loaded (starting the load if
// needed). It is how placeholders rendered early get their glyphs.
export function whenEmojiLoaded(cb) {
  if (byName) {
    cb();
    return;
  }
  waiting.add(cb);
  loadEmoji();
}

function bare(name) {
  if (typeof name !== 'string') return '';
  return name.replace(/^:/, '').replace(/:$/, '');
}

// emojiFor(":smile:") or emojiFor("smile") -> "😄"; null when the name is
// unknown or the table has not loaded yet.
export function emojiFor(name) {
  if (!byName) return null;
  return byName.get(bare(name)) ?? null;
}

// emojiList returns the picker's emoji in category order:
// [{name, char, category, aliases}]. Empty until loadEmoji has resolved.
export function emojiList() {
  return list ?? [];
}

// emojiCategories lists the picker categories in display order, with labels.
export const emojiCategories = [
  { id: 'people', label: 'Smileys & People' },
  { id: 'nature', label: 'Animals & Nature' },
  { id: 'food', label: 'Food & Drink' },
  { id: 'activity', label: 'Activity' },
  { id: 'travel', label: 'Travel & Places' },
  { id: 'objects', label: 'Objects' },
  { id: 'symbols', label: 'Symbols' },
  { id: 'flags', label: 'Flags' },
];

// searchEmoji returns picker entries whose name or alias contains the query
// (case-insensitive), names that start with it first.
export function searchEmoji(query, limit = 200) {
  const q = bare(String(query || '').trim().toLowerCase());
  const all = emojiList();
  if (!q) return all.slice(0, limit);
  const starts = [];
  const contains = [];
  for (const e of all) {
    const names = [e.name, ...e.aliases];
    if (names.some((n) => n.startsWith(q))) starts.push(e);
    else if (names.some((n) => n.includes(q))) contains.push(e);
    if (starts.length >= limit) break;
  }
  return starts.concat(contains).slice(0, limit);
}
