// The SDK's viem and solana helpers over keys from the agent (DSTACK_SIMULATOR_ENDPOINT, TAPPD_SIMULATOR_ENDPOINT).
import { DstackClient, TappdClient } from '@phala/dstack-sdk';
import { toViemAccount, toViemAccountSecure } from '@phala/dstack-sdk/viem';
import { toKeypair, toKeypairSecure } from '@phala/dstack-sdk/solana';
import { recoverMessageAddress } from 'viem';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const client = new DstackClient();
const tappd = new TappdClient();
const out = {};

const ethKey = await client.getKey('wallet/eth', 'ethereum');
const account = toViemAccount(ethKey);
const secure = toViemAccountSecure(ethKey);
const signature = await account.signMessage({ message: 'hello from dstack' });
out.viem = {
  address: account.address,
  secure_address: secure.address,
  signed_by: await recoverMessageAddress({ message: 'hello from dstack', signature }),
};

const derived = await tappd.deriveKey('wallet/legacy', 'legacy');
out.viemFromDeriveKey = { address: toViemAccount(derived).address, secure_address: toViemAccountSecure(derived).address };

const solKey = await client.getKey('wallet/sol', 'solana', 'ed25519');
out.solana = {
  public_key: hex(toKeypair(solKey).publicKey.toBytes()),
  secure_public_key: hex(toKeypairSecure(solKey).publicKey.toBytes()),
};
out.solanaFromDeriveKey = {
  public_key: hex(toKeypair(derived).publicKey.toBytes()),
  secure_public_key: hex(toKeypairSecure(derived).publicKey.toBytes()),
};
process.stdout.write(JSON.stringify(out));
