using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Kms.Authentication;
using Dstack.Kms.Configuration;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Policies;

/// <summary>
/// On-chain governance (kms.md §5): every decision is an <c>eth_call</c> of <c>DstackKms.isAppAllowed</c> or
/// <c>isKmsAllowed</c> with the caller's <c>AppBootInfo</c> tuple, read at one block chosen by
/// <see cref="OnChainBlockTag"/>; <c>gatewayAppId()</c> is read at the same block. Never cached.
/// Fail closed: an unreachable or slow node, a JSON-RPC error or revert, a node on another chain, an address without
/// code, or an answer that does not decode is refused with <see cref="PolicyReasons.BackendUnavailable"/>; the detail
/// goes to the log only.
/// </summary>
internal sealed class OnChainPolicy : IKmsPolicy, IPolicyStartupCheck, IPolicyChangeSource, IDisposable
{
    private const string AppCheck = "isAppAllowed";
    private const string KmsCheck = "isKmsAllowed";
    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly EthereumRpcOptions _rpcOptions;
    private readonly TimeProvider _timeProvider;
    private readonly EthereumRpcClient _rpc;
    private readonly DstackKmsContract _contract;
    private readonly ulong _chainId;
    private readonly OnChainBlockTag _blockTag;
    private readonly ILogger _logger;
    private readonly Lock _blockLock = new();
    private ulong _highestBlock;

    /// <summary>Creates the policy; nothing is sent until the first decision or <see cref="CheckAtStartAsync"/>.</summary>
    /// <param name="endpoints">JSON-RPC URLs, tried in order.</param>
    /// <param name="chainId">The chain the contract lives on.</param>
    /// <param name="kmsContract">The DstackKms proxy.</param>
    /// <param name="blockTag">The block to read at.</param>
    /// <param name="timeout">Timeout of one JSON-RPC request.</param>
    /// <param name="timeProvider">Clock for the timeouts.</param>
    /// <param name="logger">Decisions and failures.</param>
    /// <param name="handler">HTTP handler (tests); null for the default.</param>
    public OnChainPolicy(
        IReadOnlyList<Uri> endpoints,
        ulong chainId,
        EvmAddress kmsContract,
        OnChainBlockTag blockTag,
        TimeSpan timeout,
        TimeProvider timeProvider,
        ILogger logger,
        HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(blockTag);
        ArgumentOutOfRangeException.ThrowIfZero(chainId);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // the RPC client enforces the per-request timeout itself
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _endpoints = [.. endpoints];
        _rpcOptions = new EthereumRpcOptions { RequestTimeout = timeout, MaxResponseBytes = 1024 * 1024 };
        _timeProvider = timeProvider;
        _rpc = new EthereumRpcClient(_http, _endpoints, _rpcOptions, timeProvider);
        _contract = new DstackKmsContract(_rpc, kmsContract);
        _chainId = chainId;
        _blockTag = blockTag;
        _logger = logger;
        var contractText = kmsContract.ToString();
        var timeoutSeconds = (int)Math.Ceiling(timeout.TotalSeconds);
        OnChainPolicyLog.Configured(logger, contractText, chainId, blockTag.Text, _endpoints.Count, timeoutSeconds);
    }

    /// <summary>Raised when a decision reads at a block higher than any read before (governance may have changed).</summary>
    public event EventHandler? PolicyChanged;

    /// <summary>The DstackKms proxy address.</summary>
    public EvmAddress KmsContract => _contract.Address;

    /// <summary>The configured chain id.</summary>
    public ulong ChainId => _chainId;

    /// <summary>Creates the policy from validated options.</summary>
    public static OnChainPolicy FromOptions(PolicyOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OnChainPolicy(
            options.RpcUrls.Select(u => new Uri(u, UriKind.Absolute)).ToArray(),
            options.ChainId,
            EvmAddress.Parse(options.KmsContract!),
            OnChainBlockTag.Parse(options.BlockTag),
            TimeSpan.FromSeconds(options.TimeoutSeconds),
            timeProvider,
            logger);
    }

    /// <inheritdoc />
    public Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) =>
        DecideAsync(AppCheck, bootInfo, cancellationToken);

    /// <inheritdoc />
    public Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) =>
        DecideAsync(KmsCheck, bootInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        try
        {
            var block = await PinBlockAsync(cancellationToken).ConfigureAwait(false);
            var gateway = await _contract.GatewayAppIdAsync(block, cancellationToken).ConfigureAwait(false);
            var implementation = await _contract.AppImplementationAsync(block, cancellationToken).ConfigureAwait(false);
            return new KmsPolicyInfo(false, gateway, _contract.Address.ToString(), _chainId, implementation.ToString());
        }
        catch (Exception ex) when (IsBackendFailure(ex))
        {
            OnChainPolicyLog.BackendFailed(_logger, "info", "GetMeta", ex.Message);
            throw new PolicyBackendException(PolicyReasons.BackendUnavailable, ex);
        }
    }

    /// <summary>
    /// Asks every RPC URL for its chain id: a URL on another chain, no URL answering, or no code at the contract address
    /// is a start-up error. A URL that does not answer while another does is logged and kept for failover.
    /// </summary>
    public async Task CheckAtStartAsync(CancellationToken cancellationToken)
    {
        var answered = 0;
        string? lastFailure = null;
        for (var i = 0; i < _endpoints.Count; i++)
        {
            var single = new EthereumRpcClient(_http, _endpoints[i], _rpcOptions, _timeProvider);
            ulong chainId;
            try
            {
                chainId = await single.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsBackendFailure(ex))
            {
                lastFailure = ex.Message;
                OnChainPolicyLog.EndpointUnreachableAtStart(_logger, i, _endpoints[i].Host, ex.Message);
                continue;
            }

            if (chainId != _chainId)
            {
                throw new PolicyBackendException(
                    $"Policy:ChainId is {_chainId} but Policy:RpcUrls:{i} ({_endpoints[i].Host}) serves chain {chainId}; refusing to read governance from the wrong chain");
            }

            OnChainPolicyLog.EndpointChecked(_logger, i, _endpoints[i].Host, chainId);
            answered++;
        }

        if (answered == 0)
        {
            throw new PolicyBackendException($"Policy:RpcUrls: no RPC URL answered eth_chainId, so chain {_chainId} cannot be confirmed ({lastFailure})");
        }

        byte[] code;
        try
        {
            code = await _rpc.GetCodeAsync(_contract.Address, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsBackendFailure(ex))
        {
            throw new PolicyBackendException($"Policy:KmsContract: cannot read the code at {_contract.Address}: {ex.Message}", ex);
        }

        if (code.Length == 0)
        {
            throw new PolicyBackendException($"Policy:KmsContract: there is no contract at {_contract.Address} on chain {_chainId}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<PolicyDecision> DecideAsync(string check, BootInfo bootInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var appId = BootInfo.Hex(bootInfo.AppId);
        if (!OnChainBootInfo.TryMap(bootInfo, out var tuple, out var problem))
        {
            OnChainPolicyLog.NotMappable(_logger, check, appId, problem);
            return PolicyDecision.Deny(problem);
        }

        BlockTag block;
        AuthorizationResult result;
        var gateway = string.Empty;
        try
        {
            block = await PinBlockAsync(cancellationToken).ConfigureAwait(false);
            result = check == AppCheck
                ? await _contract.IsAppAllowedAsync(tuple, block, cancellationToken).ConfigureAwait(false)
                : await _contract.IsKmsAllowedAsync(tuple, block, cancellationToken).ConfigureAwait(false);
            if (result.IsAllowed)
            {
                gateway = await _contract.GatewayAppIdAsync(block, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsBackendFailure(ex))
        {
            OnChainPolicyLog.BackendFailed(_logger, check, appId, ex.Message);
            return PolicyDecision.Unavailable();
        }

        var composeHash = BootInfo.Hex(bootInfo.ComposeHash);
        var deviceId = BootInfo.Hex(bootInfo.DeviceId);
        var mrAggregated = BootInfo.Hex(bootInfo.MrAggregated);
        if (result.IsAllowed)
        {
            OnChainPolicyLog.Allowed(_logger, check, block.Number, appId, composeHash, deviceId, mrAggregated);
            return PolicyDecision.Allow(gateway);
        }

        var reason = result.Reason.Length > 0 ? result.Reason : "refused by the on-chain policy without a reason";
        OnChainPolicyLog.Refused(_logger, check, block.Number, appId, composeHash, deviceId, mrAggregated, reason);
        return PolicyDecision.Deny(reason);
    }

    /// <summary>Confirms the node is on the configured chain and picks the block every read of this decision is made at.</summary>
    private async Task<BlockTag> PinBlockAsync(CancellationToken cancellationToken)
    {
        var chainId = await _rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (chainId != _chainId)
        {
            throw new PolicyBackendException($"the RPC node serves chain {chainId}, not the configured {_chainId}");
        }

        var number = await _blockTag.ResolveAsync(_rpc, cancellationToken).ConfigureAwait(false);
        bool newer;
        lock (_blockLock)
        {
            newer = number > _highestBlock;
            if (newer)
            {
                _highestBlock = number;
            }
        }

        if (newer)
        {
            PolicyChanged?.Invoke(this, EventArgs.Empty);
        }

        return BlockTag.AtNumber(number);
    }

    /// <summary>
    /// Everything that means "the chain could not be asked or answered garbage": transport and JSON-RPC errors
    /// (reverts included), ABI decoding failures (no code, short or malformed return data), malformed quantities,
    /// and this policy's own consistency checks. Caller cancellation is not one of them.
    /// </summary>
    private static bool IsBackendFailure(Exception ex) =>
        ex is EthereumException or PolicyBackendException or FormatException or OverflowException or InvalidCastException;
}
