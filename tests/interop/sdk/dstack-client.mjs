// Drives the agent through the official JS SDK (@phala/dstack-sdk 0.5.8), public API only.
// Endpoint: DSTACK_SIMULATOR_ENDPOINT (a socket path). Prints one JSON object with what the SDK returned.
import { DstackClient } from '@phala/dstack-sdk';
import { secp256k1 } from '@noble/curves/secp256k1';
import { ed25519 } from '@noble/curves/ed25519';
import { keccak_256 } from '@noble/hashes/sha3';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const recover = (signature, digest) =>
  secp256k1.Signature.fromCompact(signature.slice(0, 64)).addRecoveryBit(signature[64]).recoverPublicKey(digest).toRawBytes(true);
const failure = async (call) => {
  try {
    await call();
    return null;
  } catch (error) {
    return String(error.message ?? error);
  }
};

const client = new DstackClient();
const out = {};
out.reachable = await client.isReachable();
out.version = await client.version();

const info = await client.info();
out.info = {
  app_id: info.app_id,
  instance_id: info.instance_id,
  compose_hash: info.compose_hash,
  app_name: info.app_name,
  device_id: info.device_id,
  mr_aggregated: info.mr_aggregated,
  key_provider_info: info.key_provider_info,
  vm_config: info.vm_config,
  app_cert: info.app_cert,
  tcb_info: info.tcb_info,
};

// getKey (secp256k1, the SDK default) and its signature chain, checked with @noble/curves
const key = await client.getKey('wallet/eth', 'signing');
const publicKey = secp256k1.getPublicKey(key.key, true);
const appRoot = recover(key.signature_chain[0], keccak_256(Buffer.from(`signing:${hex(publicKey)}`)));
const kmsMessage = Buffer.concat([Buffer.from('dstack-kms-issued:'), Buffer.from(info.app_id, 'hex'), Buffer.from(appRoot)]);
const kmsRoot = recover(key.signature_chain[1], keccak_256(kmsMessage));
out.getKey = { key: hex(key.key), public_key: hex(publicKey), app_root: hex(appRoot), kms_root: hex(kmsRoot), chain_length: key.signature_chain.length };

const edKey = await client.getKey('wallet/sol', 'signing', 'ed25519');
const edPublic = ed25519.getPublicKey(edKey.key);
out.getKeyEd25519 = {
  key: hex(edKey.key),
  public_key: hex(edPublic),
  app_root: hex(recover(edKey.signature_chain[0], keccak_256(Buffer.from(`signing:${hex(edPublic)}`)))),
};

// sign / verify
out.sign = {};
for (const algorithm of ['ed25519', 'secp256k1']) {
  const signed = await client.sign(algorithm, 'hello dstack');
  out.sign[algorithm] = {
    signature: hex(signed.signature),
    public_key: hex(signed.public_key),
    chain_length: signed.signature_chain.length,
    valid: (await client.verify(algorithm, 'hello dstack', signed.signature, signed.public_key)).valid,
    tampered: (await client.verify(algorithm, 'hello dstack!', signed.signature, signed.public_key)).valid,
  };
}
const digest = Buffer.from(keccak_256(Buffer.from('prehashed message')));
const prehashed = await client.sign('secp256k1_prehashed', digest);
out.sign.secp256k1_prehashed = {
  signature: hex(prehashed.signature),
  valid: (await client.verify('secp256k1_prehashed', digest, prehashed.signature, prehashed.public_key)).valid,
};

// getQuote + the SDK's own replayRtmrs, before and after emitEvent
const quote = await client.getQuote('hello');
out.quote = { quote: quote.quote, report_data: quote.report_data, vm_config: quote.vm_config, event_log: quote.event_log, replayed: quote.replayRtmrs() };
await client.emitEvent('sdk-event', 'payload from the sdk');
const after = await client.getQuote(new Uint8Array([1, 2, 3]));
out.quoteAfterEmit = { quote: after.quote, report_data: after.report_data, event_log: after.event_log, replayed: after.replayRtmrs() };

out.attest = (await client.attest('attest me')).attestation;

// getTlsKey with every option the SDK has
const tls = await client.getTlsKey({
  subject: 'sdk.example',
  altNames: ['sdk.example', '127.0.0.1'],
  usageRaTls: true,
  usageServerAuth: true,
  usageClientAuth: true,
  notBefore: 1700000000,
  notAfter: 1900000000,
  withAppInfo: true,
});
out.tls = { key: tls.key, certificate_chain: tls.certificate_chain, der_prefix: hex(tls.asUint8Array(32)) };

// errors the SDK surfaces from the server or raises itself
out.errors = {
  quoteTooLong: await failure(() => client.getQuote(new Uint8Array(65))),
  emitEmptyName: await failure(() => client.emitEvent('', 'x')),
  unsupportedAlgorithm: await failure(() => client.getKey('p', 'q', 'rsa')),
  // the SDK ignores the HTTP status here and hands back the error body
  inverted: (await client.getTlsKey({ notBefore: 1900000000, notAfter: 1700000000 })).error ?? null,
};

process.stdout.write(JSON.stringify(out));
