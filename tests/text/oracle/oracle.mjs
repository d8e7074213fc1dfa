// The reference implementations for the differential tests (tests/text/test_differential.py):
// twitter-text 3.1.0 (with twemoji-parser 11) and @atproto/api 0.21, as locked in
// package-lock.json beside this file and installed by `./dev servers`.
//
// Usage: node oracle.mjs NODE_MODULES_DIR
// Reads one JSON string per line on stdin, writes one JSON object per line on stdout:
//   {"x": weightedLength, "x_valid": bool, "emoji": [[start, end], ...] and
//    "urls": [[start, end, url], ...] (UTF-16 offsets in the NFC text),
//    "bsky": graphemeLength, "facets": [...] (sorted as RichText sorts them; a mention's
//    "did" is the handle, unresolved)}
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
if (!modules) {
  process.stderr.write('usage: node oracle.mjs NODE_MODULES_DIR\n');
  process.exit(2);
}
const require = createRequire(join(modules, 'noop.js'));
const twitter = require('twitter-text');
const twemoji = require('twemoji-parser');
const atproto = await import(pathToFileURL(join(modules, '@atproto/api/dist/index.js')).href);

function answer(text) {
  const tweet = twitter.parseTweet(text);
  const normalized = text.normalize();
  const emoji = twemoji.parse(normalized).map((e) => e.indices);
  const urls = twitter.extractUrlsWithIndices(normalized).map((u) => [...u.indices, u.url]);
  const rt = new atproto.RichText({ text });
  rt.detectFacetsWithoutResolution();
  return {
    x: tweet.weightedLength,
    x_valid: tweet.valid,
    emoji,
    urls,
    bsky: rt.graphemeLength,
    facets: rt.facets ?? [],
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let out;
  try {
    out = answer(JSON.parse(line));
  } catch (err) {
    out = { error: String(err) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
