'use strict';
// A real gRPC server (grpc-js) serving part of kms.KMS for the .NET client tests.
// Usage: node server.js '<json>' with {proto, tls?: {rootCert, key, cert, requireClientCert}, maxReceive?, maxSend?}.
// Prints {"port": N} on stdout once listening; exits when stdin closes.
const { grpc, loadKms, exitWithParent } = require('./common');

const config = JSON.parse(process.argv[2]);
const kms = loadKms(config.proto);

function peerName(call) {
  const auth = typeof call.getAuthContext === 'function' ? call.getAuthContext() : {};
  const cert = auth && auth.sslPeerCertificate;
  return cert && cert.subject ? `CN=${cert.subject.CN}` : 'none';
}

// GetAppKey's vm_config selects the behaviour: "status:<code>:<message>", "sleep:<ms>", "big:<bytes>", else echo.
function getAppKey(call, callback) {
  const vmConfig = call.request.vm_config;
  const [verb, arg, ...rest] = vmConfig.split(':');
  const reply = () => callback(null, {
    ca_cert: vmConfig,
    disk_crypt_key: Buffer.alloc(32, 0xab),
    k256_key: Buffer.from([call.request.api_version & 0xff]),
    gateway_app_id: String(call.metadata.get('x-test')[0] || ''),
    tproxy_app_id: peerName(call),
    os_image_hash: Buffer.from('00ff', 'hex'),
  });
  if (verb === 'status') {
    callback({ code: Number(arg), details: rest.join(':') });
  } else if (verb === 'sleep') {
    setTimeout(reply, Number(arg));
  } else if (verb === 'big') {
    callback(null, { ca_cert: 'x'.repeat(Number(arg)) });
  } else {
    reply();
  }
}

function getMeta(call, callback) {
  callback(null, {
    ca_cert: 'interop-ca',
    allow_any_upgrade: true,
    k256_pubkey: Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 0x11)]),
    bootstrap_info: { ca_pubkey: Buffer.from([1, 2, 3]), k256_pubkey: Buffer.from([4, 5]), attestation: Buffer.alloc(0) },
    is_dev: true,
    gateway_app_id: 'gateway',
    chain_id: '8453',
    app_auth_implementation: peerName(call),
  });
}

function getAppEnvEncryptPubKey(call, callback) {
  callback(null, {
    public_key: Buffer.from(call.request.app_id).reverse(),
    signature: Buffer.alloc(65, 1),
    timestamp: '1700000000',
    signature_v1: Buffer.alloc(65, 2),
  });
}

const options = {};
if (config.maxReceive) options['grpc.max_receive_message_length'] = config.maxReceive;
if (config.maxSend) options['grpc.max_send_message_length'] = config.maxSend;
const server = new grpc.Server(options);
server.addService(kms.KMS.service, { GetAppKey: getAppKey, GetMeta: getMeta, GetAppEnvEncryptPubKey: getAppEnvEncryptPubKey });

const credentials = config.tls
  ? grpc.ServerCredentials.createSsl(
      config.tls.rootCert ? Buffer.from(config.tls.rootCert) : null,
      [{ private_key: Buffer.from(config.tls.key), cert_chain: Buffer.from(config.tls.cert) }],
      Boolean(config.tls.requireClientCert))
  : grpc.ServerCredentials.createInsecure();

server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
  if (error) {
    process.stderr.write(String(error) + '\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify({ port }) + '\n');
});
exitWithParent();
