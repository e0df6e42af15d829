// DDP client of /websocket: connect, resume login, stream subscriptions,
// method calls, ping/pong, and reconnection with a growing wait. Every
// subscription is re-made after a reconnect; listeners of 'resumed' (the
// first connection included: the page may have read its data before the
// socket was up) catch up with what was missed meanwhile.

export class DDP {
  constructor(token) {
    this.token = token;
    this.ws = null;
    this.nextId = 1;
    this.calls = new Map();      // id -> {resolve, reject}
    this.subs = new Map();       // key "stream|event" -> {id, name, event, handlers:Set}
    this.listeners = {};         // 'status' | 'resumed' | 'loggedout'
    this.online = false;
    this.everConnected = false;
    this.attempt = 0;
    this.closed = false;
    this.lastFrame = Date.now();
  }

  on(ev, fn) { (this.listeners[ev] ||= new Set()).add(fn); return () => this.listeners[ev].delete(fn); }
  emit(ev, ...a) { for (const fn of this.listeners[ev] || []) { try { fn(...a); } catch (e) { console.error(e); } } }

  start() {
    this.closed = false;
    this.open();
    // Browsers throttle timers in hidden tabs; a dead socket is noticed by
    // the server's pings, and here by silence.
    this.watchdog = setInterval(() => {
      if (this.ws && this.online && Date.now() - this.lastFrame > 45000) this.ws.close();
    }, 5000);
    window.addEventListener('online', () => { if (!this.online) this.reconnectNow(); });
  }

  stop() {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
  }

  reconnectNow() {
    clearTimeout(this.timer);
    if (this.ws && this.ws.readyState <= 1) return;
    this.open();
  }

  open() {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/websocket';
    let ws;
    try { ws = new WebSocket(url); } catch { return this.scheduleReconnect(); }
    this.ws = ws;
    ws.onopen = () => this.send({ msg: 'connect', version: '1', support: ['1'] });
    ws.onmessage = (e) => this.receive(e.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setOnline(false);
      for (const [, c] of this.calls) c.reject(new Error('disconnected'));
      this.calls.clear();
      if (!this.closed) this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    // 0.5 s doubling to 10 s, with jitter so that a restarted server is
    // not hit by every client at once.
    const base = Math.min(10000, 500 * 2 ** this.attempt++);
    this.timer = setTimeout(() => this.open(), base / 2 + Math.random() * base / 2);
  }

  send(obj) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(obj));
  }

  setOnline(v) {
    if (this.online === v) return;
    this.online = v;
    this.emit('status', v);
  }

  async receive(raw) {
    this.lastFrame = Date.now();
    let m;
    try { m = JSON.parse(raw, ejsonDate); } catch { return; }
    switch (m.msg) {
      case 'connected':
        try {
          await this.rawCall('login', { resume: this.token });
        } catch (e) {
          // A socket that dropped during the login tries again; only a
          // refused token ends the session.
          if (!e.data) return;
          this.closed = true;
          this.ws.close();
          this.emit('loggedout');
          return;
        }
        this.attempt = 0;
        for (const s of this.subs.values()) this.sendSub(s);
        // A connection serves its subscriptions and methods in the order
        // they were sent: once this call answers, every stream above is
        // live, and what happened before can be read without a gap.
        try {
          await this.rawCall('UserPresence:online');
        } catch (e) {
          if (!e.data) return;
        }
        this.setOnline(true);
        this.emit('resumed', !this.everConnected);
        this.everConnected = true;
        return;
      case 'ping':
        this.send(m.id ? { msg: 'pong', id: m.id } : { msg: 'pong' });
        return;
      case 'result': {
        const c = this.calls.get(m.id);
        if (!c) return;
        this.calls.delete(m.id);
        if (m.error) c.reject(Object.assign(new Error(m.error.reason || m.error.message || 'error'), { data: m.error }));
        else c.resolve(m.result);
        return;
      }
      case 'changed': {
        const f = m.fields || {};
        const s = this.subs.get(m.collection + '|' + f.eventName);
        if (s) for (const fn of s.handlers) { try { fn(...(f.args || [])); } catch (e) { console.error(e); } }
        return;
      }
      case 'nosub':
        // A refused subscription (e.g. a room one may not see) is
        // forgotten so that it is not re-sent on every reconnect.
        for (const [k, s] of this.subs) if (s.id === m.id && m.error) this.subs.delete(k);
        return;
    }
  }

  rawCall(method, ...params) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.send({ msg: 'method', id, method, params });
    });
  }

  // call runs a method once the socket is logged in.
  call(method, ...params) {
    if (!this.online) return Promise.reject(new Error('offline'));
    return this.rawCall(method, ...params);
  }

  sendSub(s) {
    s.id = 'sub' + this.nextId++;
    this.send({ msg: 'sub', id: s.id, name: s.name, params: [s.event, { useCollection: false, args: [] }] });
  }

  // subscribe listens to one event of a stream; it returns the function
  // that stops listening. One wire subscription serves every handler.
  subscribe(name, event, fn) {
    const key = name + '|' + event;
    let s = this.subs.get(key);
    if (!s) {
      s = { name, event, handlers: new Set(), id: null };
      this.subs.set(key, s);
      if (this.online) this.sendSub(s);
    }
    s.handlers.add(fn);
    return () => {
      s.handlers.delete(fn);
      if (s.handlers.size === 0 && this.subs.get(key) === s) {
        this.subs.delete(key);
        if (this.online && s.id) this.send({ msg: 'unsub', id: s.id });
      }
    };
  }
}

// ejsonDate turns EJSON dates ({"$date": ms}) into the ISO strings the REST
// API uses, so that a message reads the same whichever way it came.
function ejsonDate(k, v) {
  if (v && typeof v === 'object' && typeof v.$date === 'number') {
    const keys = Object.keys(v);
    if (keys.length === 1) return new Date(v.$date).toISOString();
  }
  return v;
}
