// Registries that mirror only Linux x64 binaries answer 404 for other platforms' optional packages, so npm
// leaves them out of package-lock.json and `npm ci` then refuses the lock as "out of sync". This adds a stub
// entry (version, os, cpu, optional) for each missing platform package; npm ci skips them by platform, and a
// user on macOS or Windows whose registry has them gets them resolved by `npm install`.
// Usage: node scripts/setup/lockfile-foreign-platforms.mjs   (after `npm install` changed the lock)
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORM_RE = [
  [/darwin/, "darwin"],
  [/win32|windows/, "win32"],
  [/android/, "android"],
  [/freebsd/, "freebsd"],
  [/openharmony/, "openharmony"],
  [/linux/, "linux"],
];
const CPU_RE = [
  [/arm64|aarch64/, "arm64"],
  [/-arm-|arm-eabi|gnueabihf|musleabihf/, "arm"],
  [/ia32/, "ia32"],
  [/ppc64/, "ppc64"],
  [/riscv64/, "riscv64"],
  [/s390x/, "s390x"],
  [/x64|-64$/, "x64"],
];

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === "" ? "node_modules" : `${path}/node_modules`;
    const candidates = [`${base}/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    const os = PLATFORM_RE.find(([re]) => re.test(name))?.[1];
    const cpu = CPU_RE.find(([re]) => re.test(name))?.[1];
    if (!os || !cpu) continue;
    const stub = { version, cpu: [cpu], dev: entry.dev || undefined, optional: true, os: [os] };
    if (/musl/.test(name)) stub.libc = ["musl"];
    lock.packages[`${base}/${name}`] = stub;
    added++;
  }
}
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} platform stub entries`);
