// Where and how a Web Bot Auth key directory is published (draft-meunier-http-message-signatures-directory, IANA
// section): read by the verifier (workers/edge-guard/web-bot-auth.ts) and served by the sample crawler.

/** Well-known path of the key directory at the Signature-Agent origin. */
export const DIRECTORY_PATH = "/.well-known/http-message-signatures-directory";
/** Media type a key directory is served with ("Media Types"). */
export const DIRECTORY_MEDIA_TYPE = "application/http-message-signatures-directory+json";
