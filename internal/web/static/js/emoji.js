// Shortcode to Unicode lookup for the emojione 4.5.0 set the server accepts.
//
// The table (emoji-data.js, about 15 KB compressed) is fetched with a dynamic
// import the first time something asks for it, so it never delays the first
// page. Until it has arrived emojiFor answers null and callers show ":name:";
// markdown.js upgrades such placeholders in place once loadEmoji resolves.

let byName = null;
let list = null;
let loading = null;
const waiting = new Set();

const TONES = ['\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];
const SKINS = ['light', 'medium_light', 'medium', 'medium_dark', 'dark'];

// Naming rules of skin-tone variants, as internal/web/gen/emoji-data.js
// wrote them ("~N" on the base emoji's line).
const RULES = [
  null,
  (names, n) => names.map((x) => `${x}_tone${n}`),
  (names, n) => [`${names[0]}_tone${n}`, `${names[0]}_${SKINS[n - 1]}_skin_tone`],
  (names, n) => [...names.map((x) => `${x}_tone${n}`), `${names[0]}_${SKINS[n - 1]}_skin_tone`],
];

// toned puts a skin-tone modifier after the first code point of char,
// replacing a variation selector there.
function toned(char, n) {
  const cps = [...char];
  const rest = cps.slice(1);
  if (rest[0] === '\uFE0F') rest.shift();
  return cps[0] + TONES[n - 1] + rest.join('');
}

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
    let rule = 0;
    if (parts[parts.length - 1].startsWith('~')) rule = Number(parts.pop().slice(1));
    const names = parts.slice(1);
    for (const n of names) byName.set(n, char);
    if (RULES[rule]) {
      for (let t = 1; t <= 5; t++) {
        const c = toned(char, t);
        for (const n of RULES[rule](names, t)) byName.set(n, c);
      }
    }
    // "-" holds skin-tone variants and other entries that resolve by name
    // but do not belong in a picker.
    if (category !== '-') {
      list.push({ name: names[0], char, category, aliases: names.slice(1) });
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
