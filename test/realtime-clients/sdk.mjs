// @rocket.chat/sdk's bot client against a Parley server: it logs in over
// REST and resumes that login on the websocket, listens to its messages as a
// bot does, and answers alice in the room she wrote in.
//
// Environment: PARLEY_URL, PARLEY_BOT_USERNAME, PARLEY_BOT_PASSWORD,
// PARLEY_BOT_ROOM (a private group of alice and the bot), and
// PARLEY_ALICE_{ID,TOKEN,USERNAME}. Prints one PASS/FAIL line a step and
// exits 1 when any step failed.

import sdk from '@rocket.chat/sdk';
import { Report, Rest, env, user, deadline, assert, describe } from './lib.mjs';

const url = env('PARLEY_URL');
const room = env('PARLEY_BOT_ROOM');
const botName = env('PARLEY_BOT_USERNAME');
const botPassword = env('PARLEY_BOT_PASSWORD');
const alice = user('PARLEY_ALICE');
const rest = new Rest(url, alice);
const report = new Report();
report.guard();

// The client logs every frame at info level; only its errors are worth
// seeing next to the PASS/FAIL lines.
const quiet = {
	debug() {},
	info() {},
	warn() {},
	warning() {},
	error: (...args) => console.log('# sdk error:', ...args.map(describe)),
};

const bot = new sdk.Bot({ host: url, logger: quiet });
let restLogin;
let answered;
const answer = new Promise((resolve) => (answered = resolve));

const ok = await report.run('connect', () => deadline(bot.connect({}), 10000, 'connect'));

if (ok) {
	await report.run('login: REST, then DDP resume with the REST token', async () => {
		const resumed = await deadline(bot.login({ username: botName, password: botPassword }), 10000, 'login');
		restLogin = bot.currentLogin;
		assert(restLogin && restLogin.username === botName, `REST login ${JSON.stringify(restLogin)}`);
		assert(resumed && resumed.id === restLogin.userId, `DDP login answered ${JSON.stringify(resumed)}`);
		assert(resumed.token === restLogin.authToken, 'the resumed login returned another token');
		assert(resumed.tokenExpires && Number.isInteger(resumed.tokenExpires.$date), `tokenExpires ${JSON.stringify(resumed.tokenExpires)}`);
	});

	await report.run('subscribes to its messages as a bot (__my_messages__)', () =>
		deadline(
			bot.respondToMessages(
				async (err, message) => {
					if (err) {
						console.log('# bot callback error:', describe(err));
						return;
					}
					if (!message.msg?.startsWith('ping ')) return;
					try {
						const sent = await bot.sendToRoomId(`pong ${message.msg.slice(5)}`, message.rid);
						answered({ message, sent });
					} catch (e) {
						answered({ message, error: e });
					}
				},
				{ dm: true, edited: false },
			),
			10000,
			'subscribe',
		),
	);

	await report.run("answers alice's message in the same room", async () => {
		const nonce = String(Date.now());
		const posted = await rest.post('chat.postMessage', { roomId: room, text: `ping ${nonce}` });
		const got = await deadline(answer, 10000, 'the bot to answer');
		assert(got.message._id === posted.message._id, `bot answered ${got.message._id}, want ${posted.message._id}`);
		if (got.error) throw got.error;
		// What alice's client would load: the room's history over REST.
		const hist = await rest.get('groups.history', { roomId: room, count: '10' });
		const reply = hist.messages.find((m) => m.msg === `pong ${nonce}`);
		assert(reply, `no answer in the room's history: ${JSON.stringify(hist.messages.map((m) => m.msg))}`);
		assert(reply.u && reply.u.username === botName, `answer written by ${JSON.stringify(reply.u)}`);
		assert(reply.rid === room, `answer in room ${reply.rid}`);
	});
}

await bot.disconnect().catch(() => {});
report.finish();
