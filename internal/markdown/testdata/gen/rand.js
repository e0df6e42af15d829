'use strict';
// Small seeded PRNG helpers shared by the generators (deterministic across
// Node versions, unlike Math.random).
function prng(seed) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
	const pick = (arr) => arr[Math.floor(next() * arr.length)];
	return { next, int, pick };
}
module.exports = { prng };
