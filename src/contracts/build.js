#!/usr/bin/env node
// Compiles the contracts in this folder with solcjs (npm `solc`, installed in tests/node_modules) through the
// standard-JSON interface and writes artifacts/<Contract>.json with abi, bytecode and deployedBytecode, plus
// artifacts/governance/TimelockController.json (OpenZeppelin's, deployed by the governance tests as an owner).
// Usage: node src/contracts/build.js [--check]   (--check: exit 1 if the committed artifacts differ)
'use strict';
const fs = require('fs');
const path = require('path');

const here = __dirname;
const nodeModules = path.resolve(here, '..', '..', 'tests', 'node_modules');
const solc = require(path.join(nodeModules, 'solc'));

// Each job is one solc compilation. Our contracts are one; OpenZeppelin's TimelockController (a governance owner the
// tests deploy, not used by the library) is compiled on its own so that it cannot influence our bytecode.
const jobs = [
  {
    sources: Object.fromEntries(['IAppAuth.sol', 'IAppAuthBasicManagement.sol', 'DstackApp.sol', 'DstackKms.sol']
      .map((s) => [s, fs.readFileSync(path.join(here, s), 'utf8')])),
    outputs: ['DstackApp', 'DstackKms', 'ERC1967Proxy'],
    directory: 'artifacts',
  },
  {
    sources: { '@openzeppelin/contracts/governance/TimelockController.sol': readDependency('@openzeppelin/contracts/governance/TimelockController.sol') },
    outputs: ['TimelockController'],
    directory: path.join('artifacts', 'governance'),
  },
];

function readDependency(importPath) {
  return fs.readFileSync(path.join(nodeModules, importPath), 'utf8');
}

function findImport(importPath) {
  if (!importPath.startsWith('@openzeppelin/')) {
    const local = path.join(here, importPath);
    if (fs.existsSync(local)) return { contents: fs.readFileSync(local, 'utf8') };
    return { error: 'not found: ' + importPath };
  }
  const file = path.join(nodeModules, importPath);
  if (!file.startsWith(nodeModules + path.sep) || !fs.existsSync(file)) return { error: 'not found: ' + importPath };
  return { contents: fs.readFileSync(file, 'utf8') };
}

const check = process.argv.includes('--check');
let stale = false;
for (const job of jobs) compileJob(job);
if (stale) process.exit(1);

function compileJob(job) {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(job.sources).map(([name, content]) => [name, { content }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      metadata: { bytecodeHash: 'none', appendCBOR: false },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };

  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) process.stderr.write(e.formattedMessage + '\n');
  if (errors.length > 0) process.exit(1);

  for (const name of job.outputs) {
    let found = null;
    for (const file of Object.keys(output.contracts)) {
      if (output.contracts[file][name]) found = output.contracts[file][name];
    }
    if (!found) { process.stderr.write('missing contract ' + name + '\n'); process.exit(1); }
    const artifact = {
      contractName: name,
      compiler: 'solc ' + solc.version(),
      abi: found.abi,
      bytecode: '0x' + found.evm.bytecode.object,
      deployedBytecode: '0x' + found.evm.deployedBytecode.object,
    };
    const text = JSON.stringify(artifact, null, 2) + '\n';
    const target = path.join(here, job.directory, name + '.json');
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
        process.stderr.write('stale artifact: ' + target + '\n');
        stale = true;
      }
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
  }
}
