import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "./build";

/** `npm run reset`: forgets all local state (KV, Durable Objects, Postgres). Stop `npm run dev` first. */
const dir = process.env.EDGE_GUARD_STATE_DIR ?? join(ROOT, ".state");
await rm(dir, { recursive: true, force: true });
console.log(`removed ${dir}`);
