'use strict';
/*
 * Stands in for tr46 inside the runtime bundle. Nearly every host is ASCII without
 * punycode labels; for those UTS #46 processing (as whatwg-url configures it) only
 * lowercases, so the 215 KB of IDNA tables are required (and parsed) only for the rest.
 */
let real = null;
function load() {
  if (real === null) real = require('tr46');
  return real;
}

function isPlainAscii(s) {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  const lower = s.toLowerCase();
  return !(lower.startsWith('xn--') || lower.includes('.xn--'));
}

exports.toASCII = function toASCII(domain, options) {
  if (isPlainAscii(domain)) return domain.toLowerCase();
  return load().toASCII(domain, options);
};
exports.toUnicode = function toUnicode(domain, options) {
  return load().toUnicode(domain, options);
};
