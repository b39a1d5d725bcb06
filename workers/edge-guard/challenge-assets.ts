// The two scripts of the challenge page, served by edge-guard itself so the page's CSP can forbid inline script.
// Plain ES2017 for old browsers; no `${` or backticks inside (these are template literals).

/** Path prefix of everything the challenge serves and accepts. */
export const CHALLENGE_BASE = "/.well-known/edge-guard";
/** Bumped whenever the page script changes what it posts: browsers cache the script for an hour. */
export const CHALLENGE_SCRIPT_VERSION = 2;

/**
 * The page script: solves the proof of work in up to four Web Workers (strided counters) and submits the form,
 * or, on a Turnstile page, submits the form when the widget calls back.
 */
export const CHALLENGE_JS = `"use strict";
(function () {
  var form = document.getElementById("eg-form");
  var status = document.getElementById("eg-status");
  if (!form) return;
  // Cheap automation traits, posted with the solution. A signal only: the server never grants anything for it.
  function evidence() {
    var flags = [];
    try { if (navigator.webdriver === true) flags.push("webdriver"); } catch (e) {}
    try {
      var brands = (navigator.userAgentData && navigator.userAgentData.brands) || [];
      var headless = /HeadlessChrome/.test(navigator.userAgent) || brands.some(function (b) { return /Headless/i.test(String(b.brand)); });
      if (headless) flags.push("headless-ua");
    } catch (e) {}
    try {
      var known = ["callPhantom", "_phantom", "__nightmare", "domAutomation", "domAutomationController", "_selenium", "__webdriver_script_fn",
        "__driver_evaluate", "__webdriver_evaluate", "__selenium_evaluate", "__fxdriver_evaluate", "__driver_unwrapped",
        "__webdriver_unwrapped", "__selenium_unwrapped", "__fxdriver_unwrapped", "__playwright__binding__", "__pwInitScripts"];
      var names = Object.getOwnPropertyNames(window);
      var found = names.some(function (k) { return known.indexOf(k) >= 0 || k.indexOf("cdc_") === 0 || k.indexOf("cdc_") === 1; });
      if (found || document.documentElement.getAttribute("webdriver") !== null) flags.push("automation-globals");
    } catch (e) {}
    try { if (!navigator.languages || navigator.languages.length === 0) flags.push("no-languages"); } catch (e) {}
    return flags.join(",");
  }
  window.egTurnstileDone = function () {
    form.elements.namedItem("evidence").value = evidence();
    form.elements.namedItem("nua").value = navigator.userAgent;
    form.submit();
  };
  if (form.getAttribute("data-method") !== "pow") return;
  if (status) status.textContent = "Checking your browser… This page continues by itself in a few seconds.";
  var nonce = form.getAttribute("data-nonce");
  var bits = Number(form.getAttribute("data-bits"));
  var count = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
  var workers = [];
  var done = false;
  function finish(counter) {
    if (done) return;
    done = true;
    workers.forEach(function (w) { w.terminate(); });
    form.elements.namedItem("counter").value = counter;
    form.submit();
  }
  form.elements.namedItem("evidence").value = evidence();
  form.elements.namedItem("nua").value = navigator.userAgent;
  try {
    for (var i = 0; i < count; i++) {
      var worker = new Worker("/.well-known/edge-guard/pow-worker.js");
      worker.onmessage = function (event) { finish(String(event.data.counter)); };
      worker.onerror = function () { if (status) status.textContent = "Your browser could not complete the check. Please use the button below."; };
      worker.postMessage({ nonce: nonce, bits: bits, start: i, step: count });
      workers.push(worker);
    }
  } catch (error) {
    if (status) status.textContent = "Your browser could not complete the check. Please use the button below.";
  }
})();
`;

/**
 * The Web Worker: finds a counter such that SHA-256(nonce + counter) starts with `bits` zero bits. A single-block
 * SHA-256 in plain JS (the input is under 56 bytes), ~10x faster than awaiting crypto.subtle once per try.
 */
export const POW_WORKER_JS = `"use strict";
var K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
var H = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
var W = new Int32Array(64);
var block = new Uint8Array(64);

// First 32 bits of SHA-256 of block[0..length), as an unsigned integer.
function firstWord(length) {
  block.fill(0, length);
  block[length] = 0x80;
  block[62] = (length * 8) >>> 8;
  block[63] = (length * 8) & 0xff;
  for (var i = 0; i < 16; i++) {
    W[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  }
  for (i = 16; i < 64; i++) {
    var x = W[i - 15], y = W[i - 2];
    var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (i = 0; i < 64; i++) {
    var t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  return (H[0] + a) >>> 0;
}

function solve(nonce, bits, start, step) {
  for (var i = 0; i < nonce.length; i++) block[i] = nonce.charCodeAt(i) & 0xff;
  var limit = Math.pow(2, 32 - bits);
  for (var counter = start; ; counter += step) {
    var digits = String(counter);
    for (var j = 0; j < digits.length; j++) block[nonce.length + j] = digits.charCodeAt(j);
    if (firstWord(nonce.length + digits.length) < limit) return counter;
  }
}

self.onmessage = function (event) {
  var m = event.data;
  self.postMessage({ counter: solve(String(m.nonce), Number(m.bits), Number(m.start), Number(m.step)) });
};
`;
