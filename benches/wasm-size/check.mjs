// Checks that a build of this crate verifies: `node check.mjs <file.wasm>` feeds it the Standard
// Webhooks reference delivery (standard-webhooks/standard-webhooks,
// libraries/python/tests/test_webhooks.py, `test_sign_function`) and expects it verified at its
// own timestamp, refused with one body byte changed, and refused 301 s later.
import { readFileSync } from "node:fs";

const delivery = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  body: '{"test": 2432232314}',
};
const at = 1614265330n;

const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), {});
const { memory, input, verify } = instance.exports;

function run(fields, now) {
  const parts = ["secret", "id", "timestamp", "signature", "body"].map((name) =>
    new TextEncoder().encode(fields[name]),
  );
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + 4 + part.length, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length, true);
    bytes.set(part, at + 4);
    at += 4 + part.length;
  }
  const ptr = input(bytes.length);
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
  return verify(now);
}

const cases = [
  ["the reference delivery", run(delivery, at), 0],
  ["its body changed", run({ ...delivery, body: '{"test": 2432232315}' }, at), 1],
  ["301 s later", run(delivery, at + 301n), 1],
];
let failed = false;
for (const [name, got, want] of cases) {
  if (got !== want) {
    console.error(`${process.argv[2]}: ${name}: verify answered ${got}, expected ${want}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
