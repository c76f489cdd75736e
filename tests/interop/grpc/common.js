'use strict';
// Shared helpers of the gRPC interop scripts: load kms.proto with the real grpc-js stack, convert bytes to and from hex.
const path = require('path');
const modules = path.resolve(__dirname, '..', '..', 'node_modules');
const grpc = require(path.join(modules, '@grpc', 'grpc-js'));
const protoLoader = require(path.join(modules, '@grpc', 'proto-loader'));

function loadKms(protoPath) {
  const definition = protoLoader.loadSync(protoPath, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).kms;
}

// Request values written as "hex:..." become Buffers (bytes fields).
function fromJson(value) {
  if (typeof value === 'string' && value.startsWith('hex:')) return Buffer.from(value.slice(4), 'hex');
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromJson(v);
    return out;
  }
  return value;
}

// Buffers in responses are printed as lowercase hex.
function toJson(value) {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value;
}

// The parent test process holds our stdin; when it goes away, so do we.
function exitWithParent() {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

module.exports = { grpc, loadKms, fromJson, toJson, exitWithParent };
