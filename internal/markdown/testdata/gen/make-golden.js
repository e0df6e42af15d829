#!/usr/bin/env node
'use strict';
// Rebuilds ../golden/*.jsonl: every message with the md tree that the
// oracle (@rocket.chat/message-parser 0.32.0 via md-oracle/oracle.js)
// produces. See docs/markdown.md, "Regenerating the golden files".
//
//   TZ=UTC node make-golden.js /path/to/md-oracle
//
// Each output line is {"id", "msg", ["options"], "md"} or, where the parser
// throws, {"id", "msg", ["options"], "skipped": "error", "error"}. Lines
// without "options" use the server defaults.
process.env.TZ = 'UTC'; // ISO dates without a zone are read as local time
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { prng } = require('./rand');
const soup = require('./soup');
const links = require('./links');

const oracleDir = path.resolve(process.argv[2] || process.env.PARLEY_MD_ORACLE_DIR || '');
const { handle, serverDefaultOptions, parserVersion } = require(path.join(oracleDir, 'oracle.js'));
const { asciiList } = require(require.resolve('@rocket.chat/message-parser', { paths: [oracleDir] }));
if (parserVersion() !== '0.32.0') throw new Error(`oracle runs parser ${parserVersion()}, want 0.32.0`);
const outDir = path.resolve(__dirname, '../golden');

function write(name, records) {
	const lines = records.map((r) => {
		const res = handle(r, r.options || serverDefaultOptions(), { maxParseLength: 0 });
		if (res.skipped === 'empty') throw new Error(`empty message in ${name}: ${r.id}`);
		// handle() drops the per-line options; keep them for the Go test.
		const { id, msg, ...rest } = res;
		return JSON.stringify(r.options ? { id, msg, options: r.options, ...rest } : { id, msg, ...rest });
	});
	fs.writeFileSync(path.join(outDir, `${name}.jsonl`), `${lines.join('\n')}\n`);
	console.log(`${name}: ${lines.length}`);
}

const withIds = (prefix, msgs) => msgs.map((msg, i) => ({ id: `${prefix}-${i}`, msg }));

// --- curated: hand-picked inputs plus systematic families -----------------
const curated = fs
	.readFileSync(path.join(__dirname, 'curated.txt'), 'utf8')
	.split('\n')
	.filter((l) => l.trim() && !l.startsWith('#'))
	.map((l) => JSON.parse(l));

const emoticons = [...new Set([...Object.keys(asciiList), '>;/', ':-Þ', ':Þ', ':-b', ':b', ':L', '=L', ':^*', ';^)', '0;^)'])];
const emoticonContexts = [(e) => e, (e) => `a ${e} b`, (e) => `x${e}`, (e) => `${e}x`, (e) => `*${e}*`, (e) => `_${e}_`, (e) => `~${e}~`, (e) => `${e}${e}`, (e) => `${e}\nz`];
const emoticonCases = emoticons.flatMap((e) => emoticonContexts.map((f) => f(e)));

const cp = (...c) => String.fromCodePoint(...c);
const emojiSamples = [
	cp(0x1f600), cp(0x1f64f), cp(0x1f680), cp(0x1f6ff), cp(0x1f300), cp(0x1f5ff), cp(0x1f900), cp(0x1f9ff), cp(0x1fa70),
	cp(0x1f400), cp(0x1f7e0), cp(0x1f7eb), cp(0x1f7f0), cp(0x1f0cf), cp(0x1f18e), cp(0x1f191), cp(0x1f19a), cp(0x1f201), cp(0x1f232),
	cp(0x1f250), cp(0x1f004), cp(0x1f170), cp(0x1f17f), cp(0x1f202), cp(0x1f21a), cp(0x1f22f), cp(0x1f004, 0xfe0f), cp(0x1f170, 0xfe0f),
	'\u2300', '\u231a', '\u23ff', '\u2600', '\u26a1', '\u26ff', '\u2700', '\u2705', '\u27bf', '\u2194', '\u2195', '\u2194\ufe0f',
	'\u2b1b', '\u2b1c', '\u2b50', '\u2b50\ufe0f', '\u00a9\ufe0f', '\u00ae\ufe0f', '\u203c\ufe0f', '\u2122\ufe0f', '\u3030\ufe0f', '\u3299\ufe0f',
	'\u2764\ufe0f', '\u263a\ufe0e', cp(0x1f44d, 0x1f3fb), cp(0x1f44d, 0x1f3ff), cp(0x1f3fb), cp(0x1f1e7, 0x1f1f7), cp(0x1f1e7), cp(0x1f1e7, 0x1f1e7, 0x1f1e7),
	'#\ufe0f\u20e3', '*\u20e3', '0\u20e3', '9\ufe0f\u20e3', cp(0x1f3f4, 0xe0067, 0xe0062, 0xe0065, 0xe006e, 0xe0067, 0xe007f), cp(0x1f3f4, 0xe007f),
	cp(0x1f468, 0x200d, 0x1f469, 0x200d, 0x1f467), cp(0x1f9d1, 0x1f3fe, 0x200d, 0x1f4bb), cp(0x1f3f3, 0xfe0f, 0x200d, 0x1f308),
	cp(0x1f441, 0x200d, 0x1f5e8), cp(0x2764, 0xfe0f, 0x200d, 0x1f525), cp(0x1f600, 0x200d), cp(0x200d, 0x1f600), cp(0x1f600, 0x200d, 0x200d, 0x1f600),
	cp(0x1f926, 0x1f3fd, 0x200d, 0x2642, 0xfe0f), cp(0x1fae0), cp(0x1f978),
];
const emojiContexts = [(e) => e, (e) => `a ${e} b`, (e) => `${e}${e}`, (e) => `${e}:smile:`, (e) => `:smile:${e}`, (e) => `*${e}*`, (e) => `x${e}y`];
const emojiCases = emojiSamples.flatMap((e) => emojiContexts.map((f) => f(e)));

const escapeCases = [];
for (let c = 0x20; c < 0x7f; c++) escapeCases.push(`\\${String.fromCharCode(c)}x`);

write('curated', [
	...withIds('c', curated),
	...withIds('emoticon', emoticonCases),
	...withIds('emoji', emojiCases),
	...withIds('escape', escapeCases),
]);

// --- short strings over a markup-heavy alphabet ---------------------------
{
	const alpha = ['*', '_', '~', '`', '|', '[', ']', '(', ')', '<', '>', ':', '#', '@', '\\', '\n', 'a', '1', ' '];
	const msgs = [];
	for (const a of alpha) {
		msgs.push(a);
		for (const b of alpha) msgs.push(a + b);
	}
	const r = prng(17);
	for (let i = 0; i < 1600; i++) {
		let s = '';
		for (let k = r.int(3, 6); k > 0; k--) s += r.pick(alpha);
		msgs.push(s);
	}
	write('short', withIds('short', msgs));
}

// --- realistic generated messages (the oracle's own generator) -------------
{
	const res = spawnSync(process.execPath, [path.join(oracleDir, 'gen-corpus.js'), '--n', '2000', '--seed', '7', '--mutate', '0.3'], { encoding: 'utf8', maxBuffer: 1 << 28 });
	if (res.status !== 0) throw new Error(res.stderr);
	write('corpus', res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

write('soup', soup.generate(3, 1500));
write('links', links.generate(4, 1200));

// --- timestamps (time-of-day forms only without a zone: those are "0") ----
{
	const r = prng(5);
	const d = (n, max) => String(r.int(0, max - 1)).padStart(n, '0');
	const zone = () => r.pick(['', '', `+${d(2, 26)}:${d(2, 61)}`, `-${d(2, 25)}:${d(2, 60)}`, 'Z', '+0100']);
	const date = () =>
		r.pick([
			() => d(10, 1e10),
			() => d(9, 1e9),
			() => d(11, 1e11),
			() => `${d(4, 10000)}-${d(2, 14)}-${d(2, 33)}T${d(2, 26)}:${d(2, 61)}:${d(2, 61)}${zone()}`,
			() => `${d(4, 10000)}-${d(2, 14)}-${d(2, 33)}T${d(2, 26)}:${d(2, 61)}:${d(2, 61)}.${d(3, 1000)}${zone()}`,
			() => `${d(2, 26)}:${d(2, 61)}`,
			() => `${d(2, 26)}:${d(2, 61)}:${d(2, 61)}`,
		])();
	const msgs = [];
	for (let i = 0; i < 400; i++) msgs.push(r.pick(['', '\\', 'x', '~', '*', '_']) + '<t:' + date() + r.pick(['>', ':t>', ':F>', ':R>', ':X>', '', '>>']) + r.pick(['', '~', '*', '_', ' y']));
	write('timestamps', withIds('ts', msgs));
}

// --- non-default options ---------------------------------------------------
{
	const sets = {
		none: {},
		plain: { colors: false, emoticons: false, customDomains: [] },
		all: { colors: true, emoticons: true, customDomains: ['local', 'internal'], katex: { dollarSyntax: true, parenthesisSyntax: true } },
		dollar: { colors: true, emoticons: false, customDomains: [], katex: { dollarSyntax: true, parenthesisSyntax: false } },
	};
	const recs = [];
	for (const [name, options] of Object.entries(sets)) {
		for (const [i, msg] of curated.entries()) recs.push({ id: `opt-${name}-c${i}`, msg, options });
		for (const x of soup.generate(40 + recs.length, 150)) recs.push({ id: `opt-${name}-${x.id}`, msg: x.msg, options });
		for (const x of links.generate(50 + recs.length, 60)) recs.push({ id: `opt-${name}-${x.id}`, msg: x.msg, options });
	}
	write('options', recs);
}

// --- long messages -----------------------------------------------------------
{
	const res = spawnSync(process.execPath, [path.join(oracleDir, 'gen-corpus.js'), '--n', '400', '--seed', '21'], { encoding: 'utf8' });
	const lines = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).msg);
	const joined = (n) => lines.join('\n').slice(0, n);
	write('long', withIds('long', [
		joined(4096), joined(16384), joined(40000),
		'[' .repeat(300), '||'.repeat(300), '*_~['.repeat(100), ':)'.repeat(500), 'a '.repeat(3000), `${'x'.repeat(5000)} https://example.com`,
		'> quote\n'.repeat(200), '- item *b*\n'.repeat(200), '| a | b |\n| - | - |\n' + '| 1 | 2 |\n'.repeat(200),
	]));
}
