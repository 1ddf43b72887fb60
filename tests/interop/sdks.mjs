// The providers' own npm SDKs (@octokit/webhooks-methods, @linear/sdk, @mux/mux-node), driven
// by tests/interop.rs; the same line protocol as sdks.py (fields: sdk, key, id, timestamp, now_ms,
// method, url, payload, tampered[, signature]).
//
// Usage: node sdks.mjs verify|sign FILE, with HOOKSEAL_INTEROP_NODE set to the npm prefix the
// packages were installed under (by .ci/test-deps, from tests/interop/npm-packages.txt).
//
// Where an SDK reads the clock (Linear, Mux), Date.now is set to the case's now_ms.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = join(process.env.HOOKSEAL_INTEROP_NODE, "node_modules");
// Each package's entry file at its pinned version; loaded on first use.
const load = (file) => import(pathToFileURL(join(modules, file)).href);

const realNow = Date.now;
const atNow = async (c, f) => {
  Date.now = () => Number(c.now_ms);
  try {
    return await f();
  } finally {
    Date.now = realNow;
  }
};
// Whether `f` returns normally (its SDK accepts) rather than throwing (it refuses).
const accepts = async (f) => {
  try {
    await f();
    return true;
  } catch (e) {
    if (e instanceof TypeError || e instanceof ReferenceError) throw e;
    return false;
  }
};

const octokit = () => load("@octokit/webhooks-methods/dist-node/index.js");

// name: [check, sign]; sign is null where the SDK only verifies.
const SDKS = {
  octokit: [
    async (c, payload, signature) =>
      (await octokit()).verify(c.key, payload.toString("utf8"), signature),
    async (c) => (await octokit()).sign(c.key, c.payload.toString("utf8")),
  ],
  linear: [
    async (c, payload, signature) => {
      const { LinearWebhookClient } = await load("@linear/sdk/dist/webhooks/index.mjs");
      const client = new LinearWebhookClient(c.key);
      return atNow(c, () => accepts(() => client.verify(payload, signature)));
    },
    null,
  ],
  mux: [
    async (c, payload, header) => {
      const { Mux } = await load("@mux/mux-node/index.mjs");
      const mux = new Mux({ tokenId: "interop", tokenSecret: "interop" });
      const headers = { "mux-signature": header };
      const body = payload.toString("utf8");
      return atNow(c, () => accepts(() => mux.webhooks.verifySignature(body, headers, c.key)));
    },
    null,
  ],
};

const FIELDS = ["sdk", "key", "id", "ts", "now_ms", "method", "url"];
const [mode, path] = process.argv.slice(2);
const out = [];
for (const line of readFileSync(path, "ascii").split("\n").filter((l) => l.length > 0)) {
  const raw = line.split("\t").map((f) => Buffer.from(f, "hex"));
  const c = Object.fromEntries(FIELDS.map((name, i) => [name, raw[i].toString("utf8")]));
  c.payload = raw[7];
  c.tampered = raw[8];
  const [check, sign] = SDKS[c.sdk];
  if (mode === "verify") {
    const signature = raw[9].toString("utf8");
    try {
      if (!(await check(c, c.payload, signature))) {
        out.push("FAIL valid signature refused");
      } else if (await check(c, c.tampered, signature)) {
        out.push("FAIL tampered payload accepted");
      } else {
        out.push("ok");
      }
    } catch (e) {
      out.push(`FAIL ${e}`.replace(/\n/g, " "));
    }
  } else {
    out.push(Buffer.from(await sign(c), "utf8").toString("hex"));
  }
}
console.log(out.join("\n"));
