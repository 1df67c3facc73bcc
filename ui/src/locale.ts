// Under a POSIX locale (LANG=C, as on servers and in CI) WebKit reports `navigator.language` as "C",
// which Intl rejects; uPlot passes it to Intl.NumberFormat when it loads. Give such a webview a
// valid tag before anything else is evaluated (main.ts imports this first).
function validTag(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !validTag(navigator.language)) {
  Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
}
