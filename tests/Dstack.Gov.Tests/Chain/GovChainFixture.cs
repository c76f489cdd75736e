using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Tests.Cli;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Chain;

/// <summary>
/// One anvil per test class with a DstackKms deployed by <c>dstack-gov deploy-kms</c> (owner: dev account 0) and one
/// OS image allowed by <c>dstack-gov add-os-image</c>. Dev keys are written to key files (mode 600).
/// </summary>
public sealed class GovChainFixture : IAsyncLifetime, IDisposable
{
    private TempDirectory? _directory;
    private readonly List<TransactionSender> _senders = [];
    private readonly List<Signer> _signers = [];
    private AnvilNode? _node;

    public AnvilNode Node => _node ?? throw new InvalidOperationException("not started");

    public string RpcUrl => Node.Endpoint.ToString();

    public string Directory => (_directory ?? throw new InvalidOperationException("not started")).Path;

    public EvmAddress Kms { get; private set; }

    public byte[] OsImage { get; } = RandomHash();

    public DstackKmsContract KmsContract => new(Node.Rpc, Kms);

    public static byte[] RandomHash() => RandomNumberGenerator.GetBytes(32);

    public static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static EvmAddress Address(int account)
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[account]);
        return signer.Address;
    }

    public string KeyFile(int account) => Path.Combine(Directory, $"key{account}.hex");

    /// <summary>Runs <c>dstack-gov VERB ARGS… --rpc URL --chain-id 31337</c>.</summary>
    public Task<CliRun> GovAsync(string verb, params string[] args) =>
        CliRun.RunAsync([verb, .. args, "--rpc", RpcUrl, "--chain-id", AnvilNode.ChainId.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Runs a transaction verb as dev account <paramref name="account"/>.</summary>
    public Task<CliRun> GovAsAsync(int account, string verb, params string[] args) => GovAsync(verb, [.. args, "--key-file", KeyFile(account)]);

    /// <summary><c>deploy-app --json</c> as account 0; returns the app id.</summary>
    public async Task<EvmAddress> DeployAppAsync(params string[] args)
    {
        var run = await GovAsAsync(0, "deploy-app", ["--kms", Kms.ToString(), "--json", .. args]);
        var json = JsonNode.Parse(run.Succeeded())!;
        return EvmAddress.Parse((string)json["app_id"]!);
    }

    /// <summary>A library-level sender for dev account <paramref name="account"/> (for the owner contracts' own calls).</summary>
    public TransactionSender Sender(int account)
    {
        var signer = Signer.FromHex(AnvilNode.DevKeys[account]);
        _signers.Add(signer);
        var sender = new TransactionSender(Node.Rpc, signer, AnvilNode.ChainId);
        _senders.Add(sender);
        return sender;
    }

    /// <summary>The boot info the KMS builds for a VM of <paramref name="app"/> (kms.md §4.1), on this fixture's allowed OS image.</summary>
    public AppBootInfo BootInfo(EvmAddress app, byte[] composeHash, byte[]? deviceId = null) => new()
    {
        AppId = app,
        ComposeHash = composeHash,
        InstanceId = new EvmAddress(RandomNumberGenerator.GetBytes(20)),
        DeviceId = deviceId ?? RandomHash(),
        MrAggregated = RandomHash(),
        MrSystem = RandomHash(),
        OsImageHash = OsImage,
        TcbStatus = "UpToDate",
        AdvisoryIds = [],
    };

    public async Task InitializeAsync()
    {
        _directory = new TempDirectory();
        _node = await AnvilNode.StartAsync();
        for (var i = 0; i < AnvilNode.DevKeys.Length; i++)
        {
            await File.WriteAllTextAsync(KeyFile(i), AnvilNode.DevKeys[i] + "\n");
            File.SetUnixFileMode(KeyFile(i), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var deployed = JsonNode.Parse((await GovAsAsync(0, "deploy-kms", "--json")).Succeeded())!;
        Kms = EvmAddress.Parse((string)deployed["kms"]!);
        (await GovAsAsync(0, "add-os-image", "--kms", Kms.ToString(), Hex(OsImage))).Succeeded();
    }

    public async Task DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            sender.Dispose();
        }

        foreach (var signer in _signers)
        {
            signer.Dispose();
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    public void Dispose() => _directory?.Dispose();
}
