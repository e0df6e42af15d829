#!/usr/bin/env node
'use strict';
// Times the JS parser on the messages of bench_test.go, for the Go/JS ratio
// reported in docs/markdown.md. Reads the messages as JSON lines
// {"name","msg"} on stdin (go test -run TestWriteBenchMessages writes them).
//   node bench-oracle.js /path/to/md-oracle < messages.jsonl
const path = require('path');
const oracleDir = path.resolve(process.argv[2] || process.env.PARLEY_MD_ORACLE_DIR || '');
const { parse } = require(require.resolve('@rocket.chat/message-parser', { paths: [oracleDir] }));
const { serverDefaultOptions } = require(path.join(oracleDir, 'oracle.js'));
const opts = serverDefaultOptions();
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
for (const { name, msg } of lines) {
	for (let i = 0; i < 200; i++) parse(msg, opts); // warm up the JIT
	let n = 0;
	const t0 = process.hrtime.bigint();
	let t1 = t0;
	while (t1 - t0 < 2_000_000_000n) {
		parse(msg, opts);
		n++;
		t1 = process.hrtime.bigint();
	}
	const ns = Number(t1 - t0) / n;
	console.log(`${name.padEnd(12)} ${String(msg.length).padStart(6)} units  ${ns.toFixed(0).padStart(10)} ns/op`);
}
