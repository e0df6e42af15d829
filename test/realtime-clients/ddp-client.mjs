// @rocket.chat/ddp-client against a Parley server: bob follows a private
// group while alice changes a message in it over REST; carol, outside the
// group, must learn nothing; typing travels both ways; a forged or bad login
// and a burst of sendMessage calls are refused.
//
// Environment: PARLEY_URL, PARLEY_GROUP (a private group of alice and bob),
// PARLEY_CHANNEL (a channel of alice and carol without bob), and
// PARLEY_{ALICE,BOB,CAROL}_{ID,TOKEN,USERNAME}. Prints one PASS/FAIL line a
// step and exits 1 when any step failed.

import WebSocket from 'ws';
import { DDPSDK } from '@rocket.chat/ddp-client';
import { Report, Inbox, Rest, env, user, deadline, assert, isDate, now, describe } from './lib.mjs';

// Node 20 has no global WebSocket; the client looks it up when it connects.
// The client sets no error handler on its socket, so the reason a socket
// failed (an HTTP status, a refused connection) is kept here to report it.
let socketError;
globalThis.WebSocket ??= class extends WebSocket {
	constructor(...args) {
		super(...args);
		this.on('error', (err) => (socketError = err));
	}
};

const WITHIN = 1000; // ms from the REST answer to the pushed event
const url = env('PARLEY_URL');
const G = env('PARLEY_GROUP');
const C = env('PARLEY_CHANNEL');
const alice = user('PARLEY_ALICE');
const bob = user('PARLEY_BOB');
const carol = user('PARLEY_CAROL');
const rest = new Rest(url, alice);
const report = new Report();
report.guard();

async function connect(who) {
	const sdk = DDPSDK.create(url, { retryCount: 0, retryTime: 100 });
	let off;
	// connect() neither resolves nor rejects when the socket closes first.
	const closed = new Promise((_, reject) => {
		off = sdk.connection.on('disconnected', () => reject(new Error(`socket closed: ${socketError ? socketError.message : 'no reason given'}`)));
	});
	try {
		await deadline(Promise.race([sdk.connection.connect(), closed]), 5000, `connect as ${who}`);
	} finally {
		off();
	}
	return sdk;
}

async function subscribe(sdk, stream, key, inbox) {
	const sub = sdk.stream(stream, key, (...args) => inbox.push(...args));
	await deadline(sub.ready(), 5000, `sub stream-${stream} ${key}`);
	return sub;
}

// pushed waits for the event pred accepts and checks that it came within a
// second of the REST answer at `since`.
async function pushed(inbox, pred, since, what) {
	const item = await inbox.wait(pred, 5 * WITHIN, what);
	const late = Math.round(item.at - since);
	assert(late <= WITHIN, `${what} arrived ${late} ms after the REST answer`);
	return item;
}

const ms = (item, since) => `${Math.max(0, Math.round(item.at - since))} ms`;

const conns = {};
const roomB = new Inbox(); // bob: stream-room-messages G
const mineB = new Inbox(); // bob: __my_messages__
const delB = new Inbox(); // bob: G/deleteMessage
const mineC = new Inbox(); // carol: __my_messages__
const roomC = new Inbox(); // carol: stream-room-messages G, which must be refused
const typingA = new Inbox(); // alice: G/user-activity
const typingB = new Inbox(); // bob: G/user-activity

if (
	!(await report.run('connect alice, bob, carol and a stranger', async () => {
		for (const who of ['alice', 'bob', 'carol', 'stranger']) conns[who] = await connect(who);
	}))
) {
	report.finish();
}

await report.run('login with resume tokens', async () => {
	for (const [who, u] of [['alice', alice], ['bob', bob], ['carol', carol]]) {
		await deadline(conns[who].account.loginWithToken(u.token), 5000, `login ${who}`);
		assert(conns[who].account.uid === u.id, `${who} logged in as ${conns[who].account.uid}, want ${u.id}`);
	}
});

await report.run('a bad token fails login', async () => {
	let err;
	try {
		await deadline(conns.stranger.account.loginWithToken('not-a-token-' + Date.now()), 5000, 'login');
	} catch (e) {
		err = e;
	}
	assert(err, 'login succeeded');
	assert(err.error === 401 || err.error === 403, `error ${describe(err)}, want 401 or 403`);
	assert(err.errorType === 'Meteor.Error', `errorType ${err.errorType}, want Meteor.Error`);
	return `${err.error} ${err.reason}`;
});

await report.run('not logged in: stream-room-messages of the group is refused', async () => {
	let err;
	try {
		await subscribe(conns.stranger, 'room-messages', G, new Inbox());
	} catch (e) {
		err = e;
	}
	assert(err && err.error === 'not-allowed', `want nosub not-allowed, got ${err ? describe(err) : 'ready'}`);
});

const subsReady = await report.run('bob and alice subscribe to the group', async () => {
	await subscribe(conns.bob, 'room-messages', G, roomB);
	await subscribe(conns.bob, 'room-messages', '__my_messages__', mineB);
	await subscribe(conns.bob, 'notify-room', `${G}/deleteMessage`, delB);
	await subscribe(conns.bob, 'notify-room', `${G}/user-activity`, typingB);
	await subscribe(conns.alice, 'notify-room', `${G}/user-activity`, typingA);
});

await report.run('carol, not a member, gets nosub not-allowed', async () => {
	let err;
	try {
		await subscribe(conns.carol, 'room-messages', G, roomC);
	} catch (e) {
		err = e;
	}
	assert(err, 'carol got ready');
	assert(err.error === 'not-allowed', `nosub error ${describe(err)}, want not-allowed`);
});

await report.run("carol subscribes to her __my_messages__", () => subscribe(conns.carol, 'room-messages', '__my_messages__', mineC));

let mid;
if (subsReady) {
	await report.run('bob receives alice\'s REST post within a second', async () => {
		const text = `hello bob ${Date.now()}`;
		const res = await rest.post('chat.postMessage', { roomId: G, text });
		const t = now();
		mid = res.message._id;
		const item = await pushed(roomB, ([m]) => m && m._id === mid, t, 'post on stream-room-messages');
		const [m] = item.args;
		assert(m.rid === G && m.msg === text, `frame ${JSON.stringify(m)}`);
		assert(isDate(m.ts), `ts ${JSON.stringify(m.ts)} is not {$date: ms}`);
		assert(m.u && m.u._id === alice.id, `u ${JSON.stringify(m.u)}`);
		return ms(item, t);
	});

	await report.run("bob's __my_messages__ gets the post as a participant of a private room", async () => {
		const item = await mineB.wait(([m]) => m && m._id === mid, 5 * WITHIN, 'post on __my_messages__');
		const extra = item.args[1];
		assert(extra && extra.roomParticipant === true && extra.roomType === 'p', `second arg ${JSON.stringify(extra)}`);
	});

	await report.run('bob receives the edit within a second', async () => {
		const text = `edited ${Date.now()}`;
		await rest.post('chat.update', { roomId: G, msgId: mid, text });
		const t = now();
		const item = await pushed(roomB, ([m]) => m && m._id === mid && m.msg === text, t, 'edit');
		const [m] = item.args;
		assert(isDate(m.editedAt), `editedAt ${JSON.stringify(m.editedAt)}`);
		assert(m.editedBy && m.editedBy._id === alice.id, `editedBy ${JSON.stringify(m.editedBy)}`);
		return ms(item, t);
	});

	await report.run('bob receives the reaction within a second', async () => {
		await rest.post('chat.react', { messageId: mid, emoji: ':thumbsup:' });
		const t = now();
		const hasReaction = ([m]) =>
			m && m._id === mid && m.reactions && Object.values(m.reactions).some((r) => r.usernames?.includes(alice.username));
		const item = await pushed(roomB, hasReaction, t, 'reaction');
		return `${ms(item, t)}, ${Object.keys(item.args[0].reactions).join(' ')}`;
	});

	await report.run('bob receives the delete on G/deleteMessage within a second', async () => {
		await rest.post('chat.delete', { roomId: G, msgId: mid });
		const t = now();
		const item = await pushed(delB, ([d]) => d && d._id === mid, t, 'deleteMessage');
		return ms(item, t);
	});

	await report.run("carol's __my_messages__ stays silent about the group", async () => {
		// A post in carol's own channel, sent after everything above, is the
		// barrier: once it has arrived, anything from the group would have too.
		const res = await rest.post('chat.postMessage', { roomId: C, text: `hello carol ${Date.now()}` });
		await mineC.wait(([m]) => m && m._id === res.message._id, 5 * WITHIN, "carol's channel post on __my_messages__");
		const leaked = [...mineC.find(([m]) => m && m.rid === G), ...roomC.items];
		assert(leaked.length === 0, `carol received ${leaked.length} events of the group: ${JSON.stringify(leaked[0]?.args)}`);
		return `${mineC.items.length} event(s), all from her channel`;
	});

	await report.run('typing: bob to alice, forged name dropped, not echoed', async () => {
		const ev = `${G}/user-activity`;
		// The forged write goes first: processed in order on bob's connection,
		// it would reach alice before the real one if it were not dropped.
		await conns.bob.call('stream-notify-room', ev, alice.username, ['user-typing']);
		await conns.bob.call('stream-notify-room', ev, bob.username, ['user-typing']);
		await typingA.wait(([name]) => name === bob.username, 5 * WITHIN, 'bob typing at alice');
		const forged = typingA.find(([name]) => name === alice.username);
		assert(forged.length === 0, 'alice received typing under her own name written by bob');
		const real = typingA.find(([name]) => name === bob.username)[0].args;
		assert(Array.isArray(real[1]) && real[1].includes('user-typing'), `args ${JSON.stringify(real)}`);
	});

	await report.run('typing: alice to bob, not echoed to either writer', async () => {
		const ev = `${G}/user-activity`;
		await conns.alice.call('stream-notify-room', ev, alice.username, ['user-typing']);
		await typingB.wait(([name]) => name === alice.username, 5 * WITHIN, 'alice typing at bob');
		// bob's own event was emitted before alice's, so an echo would be here.
		const echoB = typingB.find(([name]) => name === bob.username);
		assert(echoB.length === 0, "bob's own typing was echoed to him");
		await conns.bob.call('stream-notify-room', ev, bob.username, []);
		await typingA.wait(([name, act]) => name === bob.username && Array.isArray(act) && act.length === 0, 5 * WITHIN, 'bob stopped typing');
		const echoA = typingA.find(([name]) => name === alice.username);
		assert(echoA.length === 0, "alice's own typing was echoed to her");
	});
}

await report.run('a sixth sendMessage within a second is refused', async () => {
	// The limit counts calls the server handles within one second of the
	// first. On a slow machine five sends may take longer than that, which
	// proves nothing either way; such a round is tried again, at most thrice.
	for (let round = 1; ; round++) {
		const start = now();
		const results = await Promise.all(
			Array.from({ length: 6 }, (_, i) =>
				conns.bob.call('sendMessage', { rid: G, msg: `burst ${round}.${i}` }).then(
					(r) => ({ r, at: now() }),
					(e) => ({ e, at: now() }),
				),
			),
		);
		const took = Math.round(results[5].at - start);
		for (let i = 0; i < 5; i++) {
			const { r, e } = results[i];
			if (e) throw new Error(`send ${i + 1} refused: ${describe(e)}`);
			assert(r && r._id && r.rid === G, `send ${i + 1} answered ${JSON.stringify(r)}`);
		}
		const sixth = results[5];
		if (sixth.e) {
			assert(sixth.e.error === 'too-many-requests', `sixth refused with ${describe(sixth.e)}`);
			const wait = sixth.e.details?.timeToReset;
			assert(typeof wait === 'number' && wait > 0 && wait <= 1000, `details ${JSON.stringify(sixth.e.details)}`);
			return `round ${round}, ${took} ms, timeToReset ${wait} ms`;
		}
		if (took <= 1000 || round === 3) {
			throw new Error(`sixth send accepted after ${took} ms: ${JSON.stringify(sixth.r)}`);
		}
		console.log(`# round ${round} took ${took} ms; trying again`);
		await new Promise((r) => setTimeout(r, 1100));
	}
});

for (const sdk of Object.values(conns)) sdk.connection.close();
report.finish();
