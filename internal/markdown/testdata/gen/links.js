#!/usr/bin/env node
'use strict';
// Link-heavy messages: URLs with many public suffixes (and fake ones),
// schemes, credentials, ports, paths, trailing punctuation, e-mail
// addresses, phone numbers and the three link syntaxes.
// Usage: node links.js --n N --seed S
const fs = require('fs');
const path = require('path');
const { prng } = require('./rand');

const suffixes = fs
	.readFileSync(path.join(__dirname, '../../psl.txt'), 'utf8')
	.split('\n')
	.filter((l) => l && l[0] !== '#')
	.map((l) => l.slice(2).replace(/^!/, ''));
const FAKE = ['zz', 'comm', 'c', 'localx', 'internal', 'test', 'local', 'lan', 'corp', 'example', 'invalid', 'onion', 'x', 'a1', 'co', 'uk', 'xn--p1ai', 'рф', '中国'];
const LABELS = ['www', 'a', 'my-app', 'te_st', '9gag', 'x', 'Rocket', 'EXAMPLE', 'sub.domain', 'a-b', '-a', 'a-', '_x', 'ÿ', 'ünï', '中文', 'foo_bar', '1', '123', 'a--b', 'xn--abc'];
const PATHS = ['', '', '/', '/a/b', '/a?b=c&d=e', '#frag', '/x(y)z', '/(a)', '/a.b.', '/ü', '/a_b', '?q=a.b', '/path.', ':8080', ':8080/x', '/a;b', '/%20x', '/a~b', '/wiki/Foo_(bar)'];
const SCHEMES = ['http://', 'https://', 'HTTP://', 'ftp://', 'ssh://', 'custom+x://', '1abc://', 'ws://', 'file://', '', '', '', 'mailto:', 'tel:', '//', 'https:/', 'a:'];
const TRAIL = ['', '', '', '.', '..', ',', '!', '?', ')', '))', '"', "'", ':', ';', '=', '~', '*', '.)', '%'];
const USERS = ['joe', 'joe.smith', 'a_b', "o'neil", 'mañana', 'JOE', 'a+b', 'a/b', 'x#y', 'a..b', '.a', 'a.', '1', 'a-b', 'Кир', 'é'];
const PHONES = ['5511999999999', '1 (555) 123', '(075)-63546725', '44-2071234567', '1234', '12345', '(12)34-5', '(1)2345', '1-2', '12345-6789'];

function generate(seed, n) {
	const r = prng(seed);
	const suffix = () => (r.next() < 0.7 ? r.pick(suffixes) : r.pick(FAKE)).replace(/\*/g, () => r.pick(['x', 'abc']));
	const host = () =>
		r.pick([
			() => `${r.pick(LABELS)}.${suffix()}`,
			() => suffix(),
			() => `${r.pick(LABELS)}.${r.pick(LABELS)}.${suffix()}`,
			() => 'localhost',
			() => `${r.int(0, 299)}.${r.int(0, 299)}.${r.int(0, 255)}.${r.int(0, 255)}`,
			() => `[${r.pick(['::1', '2001:db8::1', 'fe80::'])}]`,
			() => `${r.pick(LABELS)}.local`,
		])();
	const url = () => r.pick(SCHEMES) + host() + r.pick(PATHS);
	const item = () =>
		r.pick([
			() => url() + r.pick(TRAIL),
			() => `${r.pick(SCHEMES)}${r.pick(USERS)}:pw@${host()}${r.pick(PATHS)}`,
			() => `${r.pick(USERS)}@${host()}${r.pick(TRAIL)}`,
			() => `mailto:${r.pick(USERS)}@${host()}`,
			() => `[${r.pick(['label', '**b**', '', 'a b'])}](${url()})`,
			() => `<${url()}|${r.pick(['t', 'a b', 'x>y', '', ' '])}>`,
			() => `![alt](${url()})`,
			() => `+${r.pick(PHONES)}${r.pick(TRAIL)}`,
		])();
	const around = (s) => r.pick(['', ' ', 'x ', '(', '[', '<', '*', '_', '~', '`', '"']) + s + r.pick(['', ' ', ' x', ')', ']', '>', '*', '_', '~', '`', '"', '\n']);
	const out = [];
	for (let i = 0; i < n; i++) {
		const parts = [];
		for (let k = r.int(1, 3); k > 0; k--) parts.push(around(item()));
		out.push({ id: `l${seed}-${i}`, msg: parts.join(r.pick([' ', '\n', ', ', ''])) });
	}
	return out;
}

module.exports = { generate };

if (require.main === module) {
	const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
	const list = generate(parseInt(arg('--seed', '1'), 10), parseInt(arg('--n', '1000'), 10));
	process.stdout.write(`${list.map((x) => JSON.stringify(x)).join('\n')}\n`);
}
