// Runs a wasm32-wasip1 program (a test binary) under Node's built-in WASI, as cargo's runner
// for that target: `node .ci/wasi-run.mjs <program.wasm> [args...]`. The program sees the
// file system at `/` (tests read their vectors by absolute path), its arguments and
// environment, and exits with its own status.
import { readFile } from "node:fs/promises";
import { argv, env, exit } from "node:process";
import { WASI } from "node:wasi";

const [program, ...args] = argv.slice(2);
const wasi = new WASI({
  version: "preview1",
  args: [program, ...args],
  env,
  preopens: { "/": "/" },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
