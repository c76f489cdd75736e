using System.Numerics;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Contracts;

/// <summary>
/// Typed binding of a deployed <c>DstackApp</c> (kms.md §5.3): its proxy address is the app id. Views take an
/// optional block tag (default <c>latest</c>); management functions need a <see cref="TransactionSender"/>.
/// </summary>
public sealed class DstackAppContract
{
    private readonly ContractClient _client;

    /// <summary>Binds a deployed contract.</summary>
    /// <param name="rpc">The RPC client for reads.</param>
    /// <param name="address">The app id (DstackApp proxy address).</param>
    /// <param name="sender">The account for management transactions, or null for a read-only binding.</param>
    public DstackAppContract(EthereumRpcClient rpc, EvmAddress address, TransactionSender? sender = null)
    {
        _client = new ContractClient(rpc, address, ContractArtifact.DstackApp.Abi, sender);
    }

    /// <summary>The app id (proxy address).</summary>
    public EvmAddress Address => _client.Address;

    /// <summary>The ABI.</summary>
    public static ContractAbi Abi => ContractArtifact.DstackApp.Abi;

    /// <summary>Deploys the DstackApp implementation (the one the KMS factory clones behind proxies).</summary>
    /// <param name="sender">The deploying account.</param>
    /// <param name="cancellationToken">Cancels the deployment.</param>
    /// <returns>The implementation address.</returns>
    public static async Task<EvmAddress> DeployImplementationAsync(TransactionSender sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var receipt = await sender.DeployAsync(ContractArtifact.DstackApp.InitCode([]), cancellationToken).ConfigureAwait(false);
        return receipt.ContractAddress!.Value;
    }

    /// <summary><c>isAppAllowed(AppBootInfo)</c> asked of the app contract directly.</summary>
    /// <param name="bootInfo">The boot info.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision and its reason.</returns>
    public async Task<AuthorizationResult> IsAppAllowedAsync(AppBootInfo bootInfo, BlockTag? block = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var values = await _client.CallAsync(
            "isAppAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))",
            block,
            cancellationToken,
            (object?)bootInfo.ToAbiValue()).ConfigureAwait(false);
        return new AuthorizationResult((bool)values[0]!, (string)values[1]!);
    }

    /// <summary><c>allowedComposeHashes(bytes32)</c>.</summary>
    /// <param name="composeHash">The compose hash.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is allowed.</returns>
    public Task<bool> AllowedComposeHashesAsync(byte[] composeHash, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("allowedComposeHashes(bytes32)", block, cancellationToken, composeHash);

    /// <summary><c>allowedDeviceIds(bytes32)</c>.</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is listed (see also <see cref="AllowAnyDeviceAsync"/>).</returns>
    public Task<bool> AllowedDeviceIdsAsync(byte[] deviceId, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("allowedDeviceIds(bytes32)", block, cancellationToken, deviceId);

    /// <summary><c>allowAnyDevice()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the device list is bypassed.</returns>
    public Task<bool> AllowAnyDeviceAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("allowAnyDevice()", block, cancellationToken);

    /// <summary><c>requireTcbUpToDate()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the TCB must be <c>UpToDate</c>.</returns>
    public Task<bool> RequireTcbUpToDateAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<bool>("requireTcbUpToDate()", block, cancellationToken);

    /// <summary><c>version()</c>.</summary>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The implementation version (2).</returns>
    public Task<BigInteger> VersionAsync(BlockTag? block = null, CancellationToken cancellationToken = default) =>
        _client.CallSingleAsync<BigInteger>("version()", block, cancellationToken);

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

    /// <summary><c>addComposeHash(bytes32)</c> (owner only).</summary>
    /// <param name="composeHash">The compose hash.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AddComposeHashAsync(byte[] composeHash, CancellationToken cancellationToken = default) =>
        _client.SendAsync("addComposeHash(bytes32)", cancellationToken, composeHash);

    /// <summary><c>removeComposeHash(bytes32)</c> (owner only).</summary>
    /// <param name="composeHash">The compose hash.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RemoveComposeHashAsync(byte[] composeHash, CancellationToken cancellationToken = default) =>
        _client.SendAsync("removeComposeHash(bytes32)", cancellationToken, composeHash);

    /// <summary><c>addDevice(bytes32)</c> (owner only).</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> AddDeviceAsync(byte[] deviceId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("addDevice(bytes32)", cancellationToken, deviceId);

    /// <summary><c>removeDevice(bytes32)</c> (owner only).</summary>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> RemoveDeviceAsync(byte[] deviceId, CancellationToken cancellationToken = default) =>
        _client.SendAsync("removeDevice(bytes32)", cancellationToken, deviceId);

    /// <summary><c>setAllowAnyDevice(bool)</c> (owner only).</summary>
    /// <param name="allowAnyDevice">The new setting.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetAllowAnyDeviceAsync(bool allowAnyDevice, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setAllowAnyDevice(bool)", cancellationToken, allowAnyDevice);

    /// <summary><c>setRequireTcbUpToDate(bool)</c> (owner only).</summary>
    /// <param name="requireTcbUpToDate">The new setting.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> SetRequireTcbUpToDateAsync(bool requireTcbUpToDate, CancellationToken cancellationToken = default) =>
        _client.SendAsync("setRequireTcbUpToDate(bool)", cancellationToken, requireTcbUpToDate);

    /// <summary><c>disableUpgrades()</c>: one-way (owner only).</summary>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The receipt.</returns>
    public Task<TransactionReceipt> DisableUpgradesAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync("disableUpgrades()", cancellationToken);

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

    /// <summary><c>upgradeToAndCall(address,bytes)</c> (owner only; refused once upgrades are disabled).</summary>
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
}
