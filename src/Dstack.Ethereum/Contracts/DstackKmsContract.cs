using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Contracts;

/// <summary>
/// Typed binding of a deployed <c>DstackKms</c> (kms.md §5.2), usually its ERC1967 proxy. Views take an optional
/// block tag (default <c>latest</c>); management functions need a <see cref="TransactionSender"/> and wait for the receipt.
/// </summary>
public sealed class DstackKmsContract
{
    private const string BootInfoTuple = "(address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[])";
    private readonly ContractClient _client;

    /// <summary>Binds a deployed contract.</summary>
    /// <param name="rpc">The RPC client for reads.</param>
    /// <param name="address">The DstackKms proxy address.</param>
    /// <param name="sender">The account for management transactions, or null for a read-only binding.</param>
    public DstackKmsContract(EthereumRpcClient rpc, EvmAddress address, TransactionSender? sender = null)
    {
        _client = new ContractClient(rpc, address, ContractArtifact.DstackKms.Abi, sender);
    }

    /// <summary>The contract (proxy) address.</summary>
    public EvmAddress Address => _client.Address;

    /// <summary>The ABI.</summary>
    public static ContractAbi Abi => ContractArtifact.DstackKms.Abi;

    /// <summary>Deploys the DstackKms implementation and an ERC1967 proxy initialized with <c>initialize(owner, appImplementation)</c>.</summary>
    /// <param name="sender">The deploying account.</param>
    /// <param name="owner">The initial owner.</param>
    /// <param name="appImplementation">The DstackApp implementation for the factory (zero leaves the factory disabled).</param>
    /// <param name="cancellationToken">Cancels the deployment.</param>
    /// <returns>A binding to the proxy.</returns>
    public static async Task<DstackKmsContract> DeployAsync(TransactionSender sender, EvmAddress owner, EvmAddress appImplementation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var implementation = await sender.DeployAsync(ContractArtifact.DstackKms.InitCode([]), cancellationToken).ConfigureAwait(false);
        var initialize = Abi.GetFunction("initialize(address,address)").EncodeCall(owner, appImplementation);
        var proxy = await DeployProxyAsync(sender, implementation.ContractAddress!.Value, initialize, cancellationToken).ConfigureAwait(false);
        return new DstackKmsContract(sender.Rpc, proxy, sender);
    }

    /// <summary>Deploys an ERC1967 proxy in front of <paramref name="implementation"/>, calling <paramref name="initializeCall"/>.</summary>
    /// <param name="sender">The deploying account.</param>
    /// <param name="implementation">The implementation address.</param>
    /// <param name="initializeCall">Initializer call data (may be empty).</param>
    /// <param name="cancellationToken">Cancels the deployment.</param>
    /// <returns>The proxy address.</returns>
    public static async Task<EvmAddress> DeployProxyAsync(TransactionSender sender, EvmAddress implementation, byte[] initializeCall, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var arguments = AbiEncoder.Encode([AbiType.Address, AbiType.Bytes], [implementation, initializeCall]);
        var receipt = await sender.DeployAsync(ContractArtifact.Erc1967Proxy.InitCode(arguments), cancellationToken).ConfigureAwait(false);
        return receipt.ContractAddress!.Value;
    }

    /// <summary><c>isAppAllowed(AppBootInfo)</c>: may this app VM receive its keys?</summary>
    /// <param name="bootInfo">What the KMS verified about the VM.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision and its reason.</returns>
    /// <exception cref="EthereumRpcException">The call reverted (e.g. the app contract misbehaves): treat as refused.</exception>
    public Task<AuthorizationResult> IsAppAllowedAsync(AppBootInfo bootInfo, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        AuthorizeAsync("isAppAllowed(" + BootInfoTuple + ")", bootInfo, block, cancellationToken);

    /// <summary><c>isKmsAllowed(AppBootInfo)</c>: may this KMS instance receive the root keys?</summary>
    /// <param name="bootInfo">What the KMS verified about the other KMS.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision and its reason.</returns>
    public Task<AuthorizationResult> IsKmsAllowedAsync(AppBootInfo bootInfo, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        AuthorizeAsync("isKmsAllowed(" + BootInfoTuple + ")", bootInfo, block, cancellationToken);

    /// <summary><c>gatewayAppId()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The gateway app id string.</returns>
    public Task<string> GatewayAppIdAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<string>("gatewayAppId()", block, cancellationToken);

    /// <summary><c>kmsInfo()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The KMS info.</returns>
    public async Task<KmsInfo> KmsInfoAsync(BlockTag? block = null, CancellationToken cancellationToken = default)
    {
        var v = await _client.CallAsync("kmsInfo()", block, cancellationToken).ConfigureAwait(false);
        return new KmsInfo((byte[])v[0]!, (byte[])v[1]!, (byte[])v[2]!, (byte[])v[3]!);
    }

    /// <summary><c>registeredApps(address)</c>.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the app is registered.</returns>
    public Task<bool> RegisteredAppsAsync(EvmAddress appId, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("registeredApps(address)", block, cancellationToken, appId);

    /// <summary><c>kmsAllowedAggregatedMrs(bytes32)</c>.</summary>
    /// <param name="mrAggregated">The aggregated MR.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is allowed.</returns>
    public Task<bool> KmsAllowedAggregatedMrsAsync(byte[] mrAggregated, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("kmsAllowedAggregatedMrs(bytes32)", block, cancellationToken, mrAggregated);

    /// <summary><c>kmsAllowedDeviceIds(bytes32)</c>.</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is allowed.</returns>
    public Task<bool> KmsAllowedDeviceIdsAsync(byte[] deviceId, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("kmsAllowedDeviceIds(bytes32)", block, cancellationToken, deviceId);

    /// <summary><c>allowedOsImages(bytes32)</c>.</summary>
    /// <param name="osImageHash">The OS image hash.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is allowed.</returns>
    public Task<bool> AllowedOsImagesAsync(byte[] osImageHash, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("allowedOsImages(bytes32)", block, cancellationToken, osImageHash);

    /// <summary><c>appImplementation()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The DstackApp implementation the factory deploys.</returns>
    public Task<EvmAddress> AppImplementationAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<EvmAddress>("appImplementation()", block, cancellationToken);

    /// <summary><c>owner()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The owner.</returns>
    public Task<EvmAddress> OwnerAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<EvmAddress>("owner()", block, cancellationToken);

    /// <summary><c>pendingOwner()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The staged new owner (zero if none).</returns>
    public Task<EvmAddress> PendingOwnerAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<EvmAddress>("pendingOwner()", block, cancellationToken);

    /// <summary><c>supportsInterface(bytes4)</c>.</summary>
    /// <param name="interfaceId">4 bytes.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the interface is supported.</returns>
    public Task<bool> SupportsInterfaceAsync(byte[] interfaceId, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("supportsInterface(bytes4)", block, cancellationToken, interfaceId);

    /// <summary><c>UPGRADE_INTERFACE_VERSION()</c> of the UUPS implementation.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The UUPS interface version string.</returns>
    public Task<string> UpgradeInterfaceVersionAsync(CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<string>("UPGRADE_INTERFACE_VERSION()", null, cancellationToken);

    /// <summary><c>setKmsInfo((bytes,bytes,bytes,bytes))</c> (owner only).</summary>
    /// <param name="info">The KMS info.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetKmsInfoAsync(KmsInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        return _client.SendAsync("setKmsInfo((bytes,bytes,bytes,bytes))", cancellationToken, (object?)new object?[] { info.K256Pubkey, info.CaPubkey, info.Quote, info.Eventlog });
    }

    /// <summary><c>setKmsQuote(bytes)</c> (owner only).</summary>
    /// <param name="quote">The quote.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetKmsQuoteAsync(byte[] quote, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setKmsQuote(bytes)", cancellationToken, quote);

    /// <summary><c>setKmsEventlog(bytes)</c> (owner only).</summary>
    /// <param name="eventlog">The event log.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetKmsEventlogAsync(byte[] eventlog, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setKmsEventlog(bytes)", cancellationToken, eventlog);

    /// <summary><c>setGatewayAppId(string)</c> (owner only).</summary>
    /// <param name="gatewayAppId">The gateway app id.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetGatewayAppIdAsync(string gatewayAppId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setGatewayAppId(string)", cancellationToken, gatewayAppId);

    /// <summary><c>registerApp(address)</c> (anyone).</summary>
    /// <param name="appId">The app contract.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RegisterAppAsync(EvmAddress appId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("registerApp(address)", cancellationToken, appId);

    /// <summary><c>setAppImplementation(address)</c> (owner only).</summary>
    /// <param name="implementation">The DstackApp implementation.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetAppImplementationAsync(EvmAddress implementation, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setAppImplementation(address)", cancellationToken, implementation);

    /// <summary><c>deployAndRegisterApp(address,bool,bool,bool,bytes32,bytes32)</c>: deploys a DstackApp proxy and registers it.</summary>
    /// <param name="initialOwner">The app's owner.</param>
    /// <param name="disableUpgrades">Make the app contract non-upgradeable from the start.</param>
    /// <param name="requireTcbUpToDate">Refuse VMs whose TCB is not <c>UpToDate</c>.</param>
    /// <param name="allowAnyDevice">Skip the device allow-list.</param>
    /// <param name="initialDeviceId">A device to allow (zero for none).</param>
    /// <param name="initialComposeHash">A compose hash to allow (zero for none).</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The new app id (the proxy address) and the receipt.</returns>
    public async Task<(EvmAddress AppId, TransactionReceipt Receipt)> DeployAndRegisterAppAsync(
        EvmAddress initialOwner,
        bool disableUpgrades,
        bool requireTcbUpToDate,
        bool allowAnyDevice,
        byte[] initialDeviceId,
        byte[] initialComposeHash,
        CancellationToken cancellationToken = default)
    {
        var receipt = await _client.SendAsync(
            "deployAndRegisterApp(address,bool,bool,bool,bytes32,bytes32)",
            cancellationToken,
            initialOwner,
            disableUpgrades,
            requireTcbUpToDate,
            allowAnyDevice,
            initialDeviceId,
            initialComposeHash).ConfigureAwait(false);
        var deployed = DecodeEvents(receipt).FirstOrDefault(e => e.Name == "AppDeployedViaFactory")
            ?? throw new InvalidOperationException("The factory transaction emitted no AppDeployedViaFactory event");
        return ((EvmAddress)deployed["appId"]!, receipt);
    }

    /// <summary><c>addKmsAggregatedMr(bytes32)</c> (owner only).</summary>
    /// <param name="mrAggregated">The MR.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AddKmsAggregatedMrAsync(byte[] mrAggregated, CancellationToken cancellationToken = default) =>
        _client.SendAsync("addKmsAggregatedMr(bytes32)", cancellationToken, mrAggregated);

    /// <summary><c>removeKmsAggregatedMr(bytes32)</c> (owner only).</summary>
    /// <param name="mrAggregated">The MR.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RemoveKmsAggregatedMrAsync(byte[] mrAggregated, CancellationToken cancellationToken = default) =>
        _client.SendAsync("removeKmsAggregatedMr(bytes32)", cancellationToken, mrAggregated);

    /// <summary><c>addKmsDevice(bytes32)</c> (owner only).</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AddKmsDeviceAsync(byte[] deviceId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("addKmsDevice(bytes32)", cancellationToken, deviceId);

    /// <summary><c>removeKmsDevice(bytes32)</c> (owner only).</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RemoveKmsDeviceAsync(byte[] deviceId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("removeKmsDevice(bytes32)", cancellationToken, deviceId);

    /// <summary><c>addOsImageHash(bytes32)</c> (owner only).</summary>
    /// <param name="osImageHash">The image hash.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AddOsImageHashAsync(byte[] osImageHash, CancellationToken cancellationToken = default) =>
        _client.SendAsync("addOsImageHash(bytes32)", cancellationToken, osImageHash);

    /// <summary><c>removeOsImageHash(bytes32)</c> (owner only).</summary>
    /// <param name="osImageHash">The image hash.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RemoveOsImageHashAsync(byte[] osImageHash, CancellationToken cancellationToken = default) =>
        _client.SendAsync("removeOsImageHash(bytes32)", cancellationToken, osImageHash);

    /// <summary><c>transferOwnership(address)</c>: stages <paramref name="newOwner"/> as pending owner (owner only).</summary>
    /// <param name="newOwner">The proposed owner.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> TransferOwnershipAsync(EvmAddress newOwner, CancellationToken cancellationToken = default) =>
        _client.SendAsync("transferOwnership(address)", cancellationToken, newOwner);

    /// <summary><c>acceptOwnership()</c> (pending owner only).</summary>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AcceptOwnershipAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync("acceptOwnership()", cancellationToken);

    /// <summary><c>upgradeToAndCall(address,bytes)</c> (owner only).</summary>
    /// <param name="newImplementation">The new implementation.</param>
    /// <param name="data">Call data to run after the upgrade (may be empty).</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> UpgradeToAndCallAsync(EvmAddress newImplementation, byte[] data, CancellationToken cancellationToken = default) =>
        _client.SendAsync("upgradeToAndCall(address,bytes)", cancellationToken, newImplementation, data);

    /// <summary>Decodes this contract's events from a receipt.</summary>
    /// <param name="receipt">A receipt.</param>
    /// <returns>The events emitted by this contract, in order.</returns>
    public IReadOnlyList<ContractEvent> DecodeEvents(TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return _client.DecodeLogs(receipt.Logs);
    }

    /// <summary>Reads and decodes this contract's events with <c>eth_getLogs</c>.</summary>
    /// <param name="fromBlock">First block.</param>
    /// <param name="toBlock">Last block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The events in chain order.</returns>
    public Task<IReadOnlyList<ContractEvent>> GetEventsAsync(BlockTag fromBlock, BlockTag toBlock, CancellationToken cancellationToken = default) =>
        _client.GetEventsAsync(fromBlock, toBlock, cancellationToken);

    private async Task<AuthorizationResult> AuthorizeAsync(string signature, AppBootInfo bootInfo, BlockTag? block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var values = await _client.CallAsync(signature, block, cancellationToken, (object?)bootInfo.ToAbiValue()).ConfigureAwait(false);
        return new AuthorizationResult((bool)values[0]!, (string)values[1]!);
    }
}
