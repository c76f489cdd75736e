namespace Dstack.Gov.Cli;

/// <summary>The options every chain verb shares.</summary>
/// <param name="RpcUrls">JSON-RPC endpoints, tried in order (failover).</param>
/// <param name="ChainId">The chain the caller means; a node serving another chain is an error.</param>
/// <param name="Json">Machine-readable output.</param>
internal sealed record ChainArguments(IReadOnlyList<string> RpcUrls, ulong? ChainId = null, bool Json = false);
