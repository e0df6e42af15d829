#!/usr/bin/env node
'use strict';
// Token soup: random concatenations of markup fragments, to reach the
// grammar's corners (delimiters next to each other, half-open constructs,
// emoji pieces, CR/LF variants). Usage: node soup.js --n N --seed S [--max L]
const { prng } = require('./rand');

const TOKENS = [
	'*', '**', '_', '__', '~', '~~', '`', '```', '|', '||', '[', ']', '(', ')', '<', '>', ':', ';', '#', '@', '\\',
	'\n', '\r\n', '\r', 'a', 'b', 'Z', '1', '0', '9', ' ', '  ', '\t', '-', '---', '+', '$', '$$', '!', '.', '..', ',',
	'=', '/', '//', 'x', 'D', '8', "'", '"', 'O', '%', '^', '{', '}', '?', '&',
	'😀', '👍', '🏽', '\u200D', '❤', '\uFE0F', '🇧', '🇷', '#️⃣', '☕', '⌚', '©', 'é', 'ß', '日本', 'Кир', 'ا', '\u00A0', '\u3000', '\u2028',
	'http', 'https://', 'www.', '.com', '.co.uk', '.io', '.chat', '.test', 'localhost', 'mailto:', 'color:#', 'f00', 'ff0000',
	'<t:', '1700000000', '2025-01-02T10:00:00', '10:30', '+01:00', ':F>', '\\(', '\\)', '\\[', '\\]',
	'- [ ] ', '- [x] ', '1. ', '- ', '* ', '> ', '# ', '## ', '####', '| a |', '| --- |', '|:-:|',
	':smile:', ':)', ':D', '<3', 'D:', '(y)', '-_-', 'B)', '@john', '#general', 'joe@x.com', '+5511999999',
];

// Time-of-day timestamps with a zone depend on today's date; keep them out.
const timeDependent = /<t:\d\d:\d\d(:\d\d)?[+-]\d\d:\d\d/;

function generate(seed, n, maxTokens = 16) {
	const r = prng(seed);
	const out = [];
	while (out.length < n) {
		let s = '';
		const len = r.int(1, maxTokens);
		for (let k = 0; k < len; k++) s += r.pick(TOKENS);
		if (!timeDependent.test(s)) out.push({ id: `s${seed}-${out.length}`, msg: s });
	}
	return out;
}

module.exports = { generate };

if (require.main === module) {
	const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
	const list = generate(parseInt(arg('--seed', '1'), 10), parseInt(arg('--n', '1000'), 10), parseInt(arg('--max', '16'), 10));
	process.stdout.write(`${list.map((x) => JSON.stringify(x)).join('\n')}\n`);
}
