// Writes every shortcode of a JoyPixels/EmojiOne emoji.json (each entry's
// shortname plus its shortname_alternates) as one bare name per line.
//
//   node extract.js PACKAGE_DIR OUTPUT_FILE
//
// emoji.json is read rather than the package's JS emoji list because the JS
// list of emojione 4.5.0 lacks 15 entries (:tm:, :digit_zero: ...) that
// Rocket.Chat patches back in; emoji.json has exactly the patched set.
'use strict';

const fs = require('fs');
const path = require('path');

const [pkgDir, out] = process.argv.slice(2);
if (!pkgDir || !out) {
	console.error('usage: node extract.js PACKAGE_DIR OUTPUT_FILE');
	process.exit(2);
}

const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const data = JSON.parse(fs.readFileSync(path.join(pkgDir, 'emoji.json'), 'utf8'));

const names = new Set();
for (const entry of Object.values(data)) {
	for (const code of [entry.shortname, ...(entry.shortname_alternates || [])]) {
		// Rocket.Chat looks names up as ":name:", so a name that itself holds a
		// colon or whitespace could never match and would signal a format change.
		const m = /^:([^:\s]+):$/.exec(code);
		if (!m) {
			throw new Error(`unexpected shortcode ${JSON.stringify(code)}`);
		}
		names.add(m[1]);
	}
}

// Byte order, so the file reads the same as Go's sort.Strings would leave it.
const sorted = [...names].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
fs.writeFileSync(out, sorted.join('\n') + '\n');
console.log(`${pkg.name}@${pkg.version}: ${sorted.length} shortcodes -> ${out}`);
