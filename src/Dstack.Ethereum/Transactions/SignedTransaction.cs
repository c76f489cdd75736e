namespace Dstack.Ethereum.Transactions;

/// <summary>A signed transaction ready for <c>eth_sendRawTransaction</c>.</summary>
/// <param name="Raw">The typed-envelope bytes.</param>
/// <param name="Hash">Keccak-256 of <paramref name="Raw"/>: the transaction hash.</param>
public sealed record SignedTransaction(byte[] Raw, byte[] Hash);
