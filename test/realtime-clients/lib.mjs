// Shared pieces of the client scripts: configuration from the environment,
// PASS/FAIL reporting, deadlines, an inbox of received events, and a small
// REST client for the steps that the other side of a test drives.

import { performance } from 'node:perf_hooks';

export function env(name) {
	const v = process.env[name];
	if (!v) {
		console.log(`FAIL config: ${name} is not set`);
		console.log('0 passed, 1 failed');
		process.exit(1);
	}
	return v;
}

export function user(prefix) {
	return {
		id: env(`${prefix}_ID`),
		token: env(`${prefix}_TOKEN`),
		username: env(`${prefix}_USERNAME`),
	};
}

export class Report {
	passed = 0;
	failed = 0;

	pass(step, detail = '') {
		this.passed++;
		console.log(`PASS ${step}${detail ? ` (${detail})` : ''}`);
	}

	fail(step, why) {
		this.failed++;
		console.log(`FAIL ${step}: ${describe(why)}`);
	}

	// run executes one step; a step that throws fails, and so do the steps
	// that need what it should have produced, through their own throws.
	async run(step, fn) {
		try {
			const detail = await fn();
			this.pass(step, typeof detail === 'string' ? detail : '');
			return true;
		} catch (err) {
			this.fail(step, err);
			return false;
		}
	}

	// guard turns a crash outside any step (a client library throwing from
	// a socket callback) into a FAIL line and the summary.
	guard() {
		const crash = (err) => {
			this.fail('unexpected error', err);
			this.finish();
		};
		process.on('uncaughtException', crash);
		process.on('unhandledRejection', crash);
	}

	finish() {
		console.log(`${this.passed} passed, ${this.failed} failed`);
		process.exit(this.failed > 0 ? 1 : 0);
	}
}

// describe renders thrown values, DDP error objects included, on one line.
export function describe(v) {
	if (v instanceof Error) return v.message;
	if (v && typeof v === 'object') {
		// A DDP error is best shown whole; an error event by its message.
		const ddpError = typeof v.error === 'string' || typeof v.error === 'number';
		if (!ddpError && typeof v.message === 'string') return v.message;
		return JSON.stringify(v);
	}
	return String(v);
}

export function deadline(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Inbox keeps every event a callback received, with its arrival time, so a
// step can wait for one and a later step can check what never came.
export class Inbox {
	items = [];
	#waiters = [];

	push(...args) {
		const item = { at: performance.now(), args };
		this.items.push(item);
		for (const w of [...this.#waiters]) {
			if (w.pred(args)) {
				this.#waiters.splice(this.#waiters.indexOf(w), 1);
				w.resolve(item);
			}
		}
	}

	// wait resolves with the first event, past or future, that pred accepts.
	wait(pred, ms, what) {
		const found = this.items.find((it) => pred(it.args));
		if (found) return Promise.resolve(found);
		return deadline(new Promise((resolve) => this.#waiters.push({ pred, resolve })), ms, what);
	}

	find(pred) {
		return this.items.filter((it) => pred(it.args));
	}
}

export const now = () => performance.now();

export class Rest {
	constructor(base, who) {
		this.base = base.replace(/\/$/, '');
		this.who = who;
	}

	async call(method, path, body) {
		const headers = { 'X-User-Id': this.who.id, 'X-Auth-Token': this.who.token };
		let url = `${this.base}/api/v1/${path}`;
		const init = { method, headers };
		if (method === 'GET') {
			if (body) url += `?${new URLSearchParams(body)}`;
		} else {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(body ?? {});
		}
		const res = await fetch(url, init);
		const text = await res.text();
		let data;
		try {
			data = JSON.parse(text);
		} catch {
			throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
		}
		if (!res.ok || data.success === false) {
			throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
		}
		return data;
	}

	post(path, body) {
		return this.call('POST', path, body);
	}

	get(path, query) {
		return this.call('GET', path, query);
	}
}

export function assert(cond, why) {
	if (!cond) throw new Error(why);
}

// isDate reports whether v is an EJSON date with an integer millisecond count.
export function isDate(v) {
	return v !== null && typeof v === 'object' && Number.isInteger(v.$date);
}
