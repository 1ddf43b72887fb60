// @octokit/webhooks-methods, driven by tests/interop.rs; same line protocol as sdks.py.
//
// Usage: node octokit.mjs verify|sign FILE, with HOOKSEAL_INTEROP_NODE set to the npm prefix
// the package was installed under (by .ci/test-deps).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const prefix = process.env.HOOKSEAL_INTEROP_NODE;
const entry = join(prefix, "node_modules/@octokit/webhooks-methods/dist-node/index.js");
const { sign, verify } = await import(pathToFileURL(entry).href);

const [mode, path] = process.argv.slice(2);
const unhex = (field) => Buffer.from(field, "hex").toString("utf8");
const out = [];
for (const line of readFileSync(path, "ascii").split("\n").filter((l) => l.length > 0)) {
  const [sdk, secret, , , payload, signature] = line.split("\t").map(unhex);
  if (sdk !== "octokit") throw new Error(`unexpected sdk ${sdk}`);
  if (mode === "verify") {
    if (!(await verify(secret, payload, signature))) {
      out.push("FAIL valid signature refused");
    } else if (await verify(secret, payload + "x", signature)) {
      out.push("FAIL tampered payload accepted");
    } else {
      out.push("ok");
    }
  } else {
    out.push(Buffer.from(await sign(secret, payload), "utf8").toString("hex"));
  }
}
console.log(out.join("\n"));
