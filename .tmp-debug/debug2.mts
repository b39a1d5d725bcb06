import { chromium } from "playwright-core";
import { startStack } from "/work/main/dev/stack";
const stack = await startStack({ edgePort: 0, adminPort: 0, originPort: 0, prebuilt: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
try {
  const ip = "192.0.2.81";
  const ctx = await browser.newContext({ extraHTTPHeaders: { "cf-connecting-ip": ip } });
  const page = await ctx.newPage();
  const r = await page.goto(`${stack.edgeUrl}/`);
  console.log("home", r?.status());
  await page.waitForSelector("main a[href^='/articles/']", { timeout: 60000 });
  console.log("passed", page.url());
  for (let i = 0; i < 6; i++) {
    const links = await page.$$eval("main a[href^='/articles/']", (as) => as.map((a) => a.getAttribute("href")));
    const res = await page.goto(`${stack.edgeUrl}${links[i % links.length]}`);
    console.log(links[i % links.length], res?.status());
    await page.waitForTimeout(1000);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const d = await (await fetch(`${stack.adminUrl}/api/decisions?ip=${ip}`, { headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` } })).json() as any;
  for (const x of d.decisions) console.log(x.path, x.edgeAction, x.edgeScore, x.verdict, x.blocked, x.modelScore, JSON.stringify(x.reasons));
} finally { await browser.close(); await stack.stop(); }
