// REST client of /api/v1, authenticated as Rocket.Chat's web client is:
// X-User-Id and X-Auth-Token headers, the token kept in localStorage.

const TOKEN = 'Meteor.loginToken';
const USER = 'Meteor.userId';

export const auth = {
  get uid() { return localStorage.getItem(USER); },
  get token() { return localStorage.getItem(TOKEN); },
  set(uid, token) {
    localStorage.setItem(USER, uid);
    localStorage.setItem(TOKEN, token);
    this.cookies();
  },
  // File downloads (<img src>) are authorised by these cookies, as in
  // Rocket.Chat's client; they are set again at each start, from the
  // stored token.
  cookies() {
    const uid = this.uid, token = this.token;
    if (!token) return;
    const attrs = '; path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');
    document.cookie = 'rc_uid=' + encodeURIComponent(uid) + attrs;
    document.cookie = 'rc_token=' + encodeURIComponent(token) + attrs;
  },
  clear() {
    localStorage.removeItem(USER);
    localStorage.removeItem(TOKEN);
    document.cookie = 'rc_uid=; path=/; max-age=0';
    document.cookie = 'rc_token=; path=/; max-age=0';
  },
};

export class ApiError extends Error {
  constructor(status, data) {
    super((data && (data.error || data.message)) || 'HTTP ' + status);
    this.status = status;
    this.data = data;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

function headers(json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  if (auth.token) { h['X-User-Id'] = auth.uid; h['X-Auth-Token'] = auth.token; }
  return h;
}

function query(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null) continue;
    q.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

async function request(method, path, params, body) {
  const url = '/api/v1/' + path + (method === 'GET' ? query(params) : '');
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: headers(method !== 'GET'),
      body: method === 'GET' ? undefined : JSON.stringify(body ?? params ?? {}),
    });
  } catch (e) {
    throw new ApiError(0, { error: 'Network error' });
  }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok || (data && data.success === false)) {
    if (res.status === 401 && path !== 'login') onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path, params) => request('GET', path, params);
export const post = (path, body) => request('POST', path, null, body);

// upload sends one file to rooms.media and confirms it into a message,
// reporting progress (0..1) as the bytes go out.
export function upload(rid, file, { msg, tmid, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/rooms.media/' + encodeURIComponent(rid));
    const hd = headers(false);
    for (const k in hd) xhr.setRequestHeader(k, hd[k]);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, { error: 'Network error' }));
    xhr.onload = async () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status !== 200 || !data || !data.success) return reject(new ApiError(xhr.status, data));
      try {
        const body = {};
        if (msg) body.msg = msg;
        if (tmid) body.tmid = tmid;
        resolve(await post('rooms.mediaConfirm/' + encodeURIComponent(rid) + '/' + encodeURIComponent(data.file._id), body));
      } catch (e) { reject(e); }
    };
    const fd = new FormData();
    fd.append('file', file, file.name || 'pasted-file');
    xhr.send(fd);
  });
}

// randomId makes Meteor-style ids for messages the client creates, so that
// the echo from the stream replaces the pending copy.
const CHARS = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
export function randomId(n = 17) {
  const a = new Uint8Array(n);
  crypto.getRandomValues(a);
  let s = '';
  for (const b of a) s += CHARS[b % CHARS.length];
  return s;
}
