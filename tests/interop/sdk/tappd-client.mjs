// Drives the legacy socket through the SDK's TappdClient (TAPPD_SIMULATOR_ENDPOINT). Prints one JSON object.
import { TappdClient } from '@phala/dstack-sdk';

const client = new TappdClient();
const out = {};
out.reachable = await client.isReachable();
const derived = await client.deriveKey('/app/tls', 'tls.example', ['tls.example']);
out.deriveKey = { key: derived.key, certificate_chain: derived.certificate_chain };
const hashed = await client.tdxQuote('test');
out.tdxQuote = { quote: hashed.quote, event_log: hashed.event_log, hash_algorithm: hashed.hash_algorithm, prefix: hashed.prefix, replayed: hashed.replayRtmrs() };
const raw = await client.tdxQuote('abcd', 'raw');
out.rawQuote = { quote: raw.quote, event_log: raw.event_log, hash_algorithm: raw.hash_algorithm, prefix: raw.prefix, replayed: raw.replayRtmrs() };
process.stdout.write(JSON.stringify(out));
