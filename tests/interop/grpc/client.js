'use strict';
// A real gRPC client (grpc-js) calling our server for the .NET server tests.
// Usage: node client.js '<json>' with {proto, address, tls?: {rootCert, key?, cert?, serverName?}, maxSend?, maxReceive?,
//   calls: [{service, method, request, deadlineMs?, metadata?}]}; a call whose method the proto lacks goes out raw
//   (empty message). Prints one JSON line: [{code, details, response}] in call order.
const { grpc, loadKms, fromJson, toJson } = require('./common');

const config = JSON.parse(process.argv[2]);
const kms = loadKms(config.proto);

const credentials = config.tls
  ? grpc.credentials.createSsl(
      Buffer.from(config.tls.rootCert),
      config.tls.key ? Buffer.from(config.tls.key) : null,
      config.tls.cert ? Buffer.from(config.tls.cert) : null)
  : grpc.credentials.createInsecure();
const options = {};
if (config.maxReceive) options['grpc.max_receive_message_length'] = config.maxReceive;
if (config.maxSend) options['grpc.max_send_message_length'] = config.maxSend;
if (config.tls && config.tls.serverName) options['grpc.ssl_target_name_override'] = config.tls.serverName;

const clients = {};
function clientFor(service) {
  if (!clients[service]) {
    const Ctor = kms[service] || grpc.makeGenericClientConstructor({}, service);
    clients[service] = new Ctor(config.address, credentials, options);
  }
  return clients[service];
}

function call(spec) {
  return new Promise((resolve) => {
    const client = clientFor(spec.service);
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(spec.metadata || {})) metadata.add(k, v);
    const callOptions = spec.deadlineMs ? { deadline: new Date(Date.now() + spec.deadlineMs) } : {};
    const done = (error, response) => {
      if (error) resolve({ code: error.code, details: error.details });
      else resolve({ code: 0, details: '', response: toJson(response) });
    };
    if (typeof client[spec.method] === 'function') {
      client[spec.method](fromJson(spec.request || {}), metadata, callOptions, done);
    } else {
      client.makeUnaryRequest(
        `/kms.${spec.service}/${spec.method}`,
        () => Buffer.alloc(0),
        (buffer) => buffer,
        {},
        metadata,
        callOptions,
        done);
    }
  });
}

(async () => {
  const results = [];
  for (const spec of config.calls) results.push(await call(spec));
  process.stdout.write(JSON.stringify(results) + '\n');
  for (const client of Object.values(clients)) client.close();
  process.exit(0);
})();
