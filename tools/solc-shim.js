#!/usr/bin/env node
// A native-`solc`-shaped command line around npm's solc-js.
//
// No native Solidity compiler can be downloaded on our machines, so py-solc-x, brownie and
// Slither (crytic-compile) call this script instead. It answers the subset of the native CLI
// they use:
//   --version                     "Version: 0.8.28+commit.<hash>..." (py-solc-x parses it)
//   --help                        a short usage text
//   --standard-json               Standard JSON from stdin to stdout
//   --combined-json KEYS [FILES]  what py-solc-x's compile_source/compile_files read
// plus the options that go with them: --base-path, --include-path, --allow-paths (accepted;
// solc-js reads through our import callback, which only reads below the allowed roots),
// --evm-version, --optimize, --optimize-runs, --via-ir and remappings (`prefix=target`).
// Anything else is refused the way native solc refuses it: "unrecognised option '<flag>'".
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const COMBINED_TO_SELECTION = {
  abi: ["abi"],
  bin: ["evm.bytecode.object"],
  "bin-runtime": ["evm.deployedBytecode.object"],
  hashes: ["evm.methodIdentifiers"],
  metadata: ["metadata"],
  srcmap: ["evm.bytecode.sourceMap"],
  "srcmap-runtime": ["evm.deployedBytecode.sourceMap"],
  opcodes: ["evm.bytecode.opcodes"],
  asm: ["evm.legacyAssembly"],
  userdoc: ["userdoc"],
  devdoc: ["devdoc"],
  "storage-layout": ["storageLayout"],
  ast: [],
};

function usage() {
  return [
    "solc (solc-js shim), the solidity compiler commandline interface",
    `Version: ${nativeVersion()}`,
    "",
    "Usage: solc [options] [input_file...]",
    "  --version                Print the version and exit.",
    "  --help                   Print this help and exit.",
    "  --standard-json          Standard JSON input on stdin, output on stdout.",
    "  --combined-json KEYS     Output a single json document with the requested KEYS",
    "                           (abi,bin,bin-runtime,hashes,metadata,srcmap,srcmap-runtime,",
    "                           opcodes,asm,userdoc,devdoc,storage-layout,ast).",
    "  --base-path DIR          Root of the virtual filesystem for imports.",
    "  --include-path DIR       Extra root for imports (repeatable).",
    "  --allow-paths LIST       Accepted for compatibility.",
    "  --evm-version VERSION    Target EVM (combined-json mode).",
    "  --optimize               Enable the optimizer (combined-json mode).",
    "  --optimize-runs N        Optimizer runs (combined-json mode).",
    "  --via-ir                 Compile through Yul IR (combined-json mode).",
    "  prefix=target            Import remapping (combined-json mode).",
    "",
  ].join("\n");
}

// solc-js reports "0.8.28+commit.7893614a.Emscripten.clang"; native builds say ".Linux.g++".
function nativeVersion() {
  return solc.version();
}

function fail(message, code = 1) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exitCode = code;
}

// Exit only once stdout has been flushed: process.exit() right after a write to a pipe
// truncates the output at 64 KiB.
function writeAndExit(text, code = 0) {
  process.stdout.write(text, () => process.exit(code));
}

function parseArgs(argv) {
  const opts = {
    mode: null,
    combinedKeys: null,
    basePath: null,
    includePaths: [],
    evmVersion: null,
    optimize: false,
    optimizeRuns: 200,
    viaIR: false,
    remappings: [],
    files: [],
  };
  const takesValue = new Set([
    "--base-path",
    "--include-path",
    "--allow-paths",
    "--evm-version",
    "--optimize-runs",
    "--combined-json",
  ]);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    if (arg.startsWith("--") && arg.includes("=")) {
      [arg, value] = [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
    }
    if (takesValue.has(arg) && value === null) {
      if (i + 1 >= argv.length) throw new Error(`option '${arg}' requires an argument`);
      value = argv[++i];
    }
    switch (arg) {
      case "--version":
        opts.mode = opts.mode || "version";
        break;
      case "--help":
        opts.mode = opts.mode || "help";
        break;
      case "--standard-json":
        opts.mode = "standard-json";
        break;
      case "--combined-json":
        opts.mode = "combined-json";
        opts.combinedKeys = value.split(",").filter(Boolean);
        break;
      case "--base-path":
        opts.basePath = value;
        break;
      case "--include-path":
        opts.includePaths.push(value);
        break;
      case "--allow-paths":
        break;
      case "--evm-version":
        opts.evmVersion = value;
        break;
      case "--optimize":
        opts.optimize = true;
        break;
      case "--optimize-runs":
        opts.optimizeRuns = Number.parseInt(value, 10);
        break;
      case "--via-ir":
        opts.viaIR = true;
        break;
      case "--no-color":
      case "--pretty-json":
        break;
      case "-":
        opts.files.push("-");
        break;
      default:
        if (arg.startsWith("-")) {
          const err = new Error(`unrecognised option '${arg}'`);
          err.unrecognised = true;
          throw err;
        }
        if (arg.includes("=") && !fs.existsSync(arg)) opts.remappings.push(arg);
        else opts.files.push(arg);
    }
  }
  return opts;
}

// Import callback: resolve a source unit name against the base path, then the include paths,
// the way native solc's file reader does.
function makeImportCallback(opts) {
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  return (unitName) => {
    const candidates = path.isAbsolute(unitName)
      ? [unitName]
      : roots.map((root) => path.resolve(root, unitName));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, "utf8") };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `File not found: ${unitName} (searched ${candidates.join(", ")})` };
  };
}

function readStdin() {
  return fs.readFileSync(0, "utf8");
}

function standardJson(opts) {
  const input = readStdin();
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  writeAndExit(output + "\n");
}

function combinedJson(opts) {
  const unknown = opts.combinedKeys.filter((k) => !(k in COMBINED_TO_SELECTION));
  if (unknown.length) {
    fail(`Invalid option to --combined-json: ${unknown[0]}`);
    return;
  }
  const sources = {};
  for (const file of opts.files.length ? opts.files : ["-"]) {
    if (file === "-") sources["<stdin>"] = { content: readStdin() };
    else sources[file] = { content: fs.readFileSync(file, "utf8") };
  }
  const contractSelection = [...new Set(opts.combinedKeys.flatMap((k) => COMBINED_TO_SELECTION[k]))];
  const input = {
    language: "Solidity",
    sources,
    settings: {
      remappings: opts.remappings,
      optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns },
      viaIR: opts.viaIR,
      outputSelection: { "*": { "*": contractSelection, "": opts.combinedKeys.includes("ast") ? ["ast"] : [] } },
    },
  };
  if (opts.evmVersion) input.settings.evmVersion = opts.evmVersion;
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: makeImportCallback(opts) }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write((e.formattedMessage || e.message) + "\n");
  if (errors.length) {
    process.exitCode = 1;
    return;
  }
  const get = (obj, dotted) => dotted.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
  const contracts = {};
  for (const [file, byName] of Object.entries(output.contracts || {})) {
    for (const [name, c] of Object.entries(byName)) {
      const entry = {};
      for (const key of opts.combinedKeys) {
        if (key === "ast") continue;
        entry[key] = get(c, COMBINED_TO_SELECTION[key][0]);
      }
      contracts[`${file}:${name}`] = entry;
    }
  }
  const result = { contracts, version: nativeVersion() };
  if (opts.combinedKeys.includes("ast")) {
    result.sourceList = Object.keys(output.sources || {});
    result.sources = {};
    for (const [file, s] of Object.entries(output.sources || {})) result.sources[file] = { AST: s.ast };
  }
  writeAndExit(JSON.stringify(result) + "\n");
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    fail(err.message);
    return;
  }
  switch (opts.mode) {
    case "version":
      writeAndExit(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`);
      break;
    case "help":
      writeAndExit(usage());
      break;
    case "standard-json":
      standardJson(opts);
      break;
    case "combined-json":
      combinedJson(opts);
      break;
    default:
      fail("No input mode given: use --standard-json or --combined-json (see --help).");
  }
}

main();
