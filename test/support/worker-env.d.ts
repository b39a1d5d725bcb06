// Worker tests call the Worker under test through `exports.default` (cloudflare:workers).
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}
