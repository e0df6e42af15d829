// The client's shared state: who I am, the public settings, my rooms and
// subscriptions, and the live connection. Views subscribe to changes.
import { get } from './api.js';

export const state = {
  me: null,            // {_id, username, name, roles}
  settings: {},        // public settings by id
  subs: new Map(),     // rid -> subscription
  rooms: new Map(),    // rid -> room
  permissions: null,   // permission id -> roles
  ddp: null,
  openRid: null,
  lastSync: null,      // Date of the last subscriptions/rooms read
  prefetch: null,      // the first room's history, asked for with the page's first calls
};

const watchers = new Set();
export function watch(fn) { watchers.add(fn); return () => watchers.delete(fn); }
export function changed(what) { for (const fn of watchers) fn(what); }

export function setting(id, dflt) {
  return id in state.settings ? state.settings[id] : dflt;
}

// The public settings the client reads, asked for by id: all of them
// would weigh several times more.
const SETTINGS = ['UI_Use_Real_Name', 'Message_GroupingPeriod', 'Message_AllowEditing',
  'Message_AllowEditing_BlockEditInMinutes', 'Message_AllowDeleting', 'Message_AllowDeleting_BlockDeleteInMinutes',
  'Message_AllowPinning', 'Message_AllowStarring', 'FileUpload_Enabled', 'FileUpload_MaxFileSize', 'Site_Name'];

export async function loadSettings() {
  const r = await get('settings.public', { _id: SETTINGS.join(','), count: 0 });
  for (const s of r.settings || []) state.settings[s._id] = s.value;
}

// hasPermission reads permissions.listAll, loaded after the first room is
// shown; until then only what a plain user may do is offered.
export function hasPermission(id) {
  const roles = state.permissions && state.permissions.get(id);
  if (!roles) return false;
  return (state.me.roles || []).some((r) => roles.includes(r));
}

export async function loadPermissions() {
  try {
    const r = await get('permissions.listAll');
    const m = new Map();
    for (const p of r.update || []) m.set(p._id, p.roles || []);
    state.permissions = m;
    changed('permissions');
  } catch { /* offered actions stay the plain user's */ }
}

// displayName is what the sidebar and the room header call a room.
export function roomName(sub, room) {
  const useReal = setting('UI_Use_Real_Name', false);
  if ((sub && sub.t === 'd') || (room && room.t === 'd')) {
    if (sub) return (useReal && sub.fname) || sub.name;
    const others = (room.usernames || []).filter((u) => u !== state.me.username);
    return others.join(', ') || state.me.username;
  }
  if (sub) return sub.fname || sub.name;
  return room.fname || room.name;
}

export function lastActivity(rid) {
  const room = state.rooms.get(rid);
  const sub = state.subs.get(rid);
  const t = (room && (room.lm || room.lastMessage?.ts)) || (sub && sub.ts) || (room && room.ts);
  return t ? Date.parse(t.$date || t) || 0 : 0;
}

// refreshRooms reads my subscriptions and rooms, all of them at start-up,
// and only what changed since the last read after a reconnect.
export async function refreshRooms() {
  const since = state.lastSync;
  const started = new Date();
  const p = since ? { updatedSince: since.toISOString() } : undefined;
  const [s, r] = await Promise.all([get('subscriptions.get', p), get('rooms.get', p)]);
  // A change the stream brought while this read was under way is newer
  // than what the read says.
  for (const x of s.update || []) if (!newer(state.subs.get(x.rid), x)) state.subs.set(x.rid, x);
  for (const x of s.remove || []) state.subs.delete(x.rid);
  for (const x of r.update || []) if (!newer(state.rooms.get(x._id), x)) state.rooms.set(x._id, x);
  for (const x of r.remove || []) state.rooms.delete(x._id);
  state.lastSync = started;
  changed('rooms');
}

function newer(cur, x) {
  return !!cur && Date.parse(cur._updatedAt) > Date.parse(x._updatedAt);
}
