using System.Reflection;
using Dstack.Agent.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>Version</c> (DstackGuest and Tappd). SDKs use the version as a feature probe (≥ 0.5.7 enables the newer
/// <c>GetKey</c> algorithms and <c>GetTlsKey</c> options), so <c>version</c> is the dstack API level this agent
/// implements; <c>rev</c> is <c>git:</c> plus the first 20 hex digits of our build's commit, or <c>unknown</c>.
/// </summary>
internal sealed class VersionMethod : RpcMethod<Empty, WorkerVersion>
{
    /// <summary>The dstack release whose socket API this agent implements.</summary>
    public const string ApiVersion = "0.5.11";

    private static readonly RpcService[] Both = [RpcService.DstackGuest, RpcService.Tappd];

    // one instance, never mutated: the endpoint encodes it once (RpcEndpoint's encoded-response cache)
    private readonly WorkerVersion _version = new() { Version = ApiVersion, Rev = Revision() };
    private readonly Task<WorkerVersion> _answer;

    /// <summary>Builds the answer once.</summary>
    public VersionMethod() => _answer = Task.FromResult(_version);

    /// <inheritdoc />
    public override string Name => "Version";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => Both;

    /// <inheritdoc />
    public override bool RepeatsAnswers => true;

    /// <inheritdoc />
    protected override Task<WorkerVersion> InvokeAsync(Empty request, CancellationToken cancellationToken) =>
        _answer;

    private static string Revision()
    {
        var informational = typeof(VersionMethod).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var plus = informational?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        if (plus < 0)
        {
            return "unknown";
        }

        var commit = informational![(plus + 1)..];
        return commit.Length >= 20 && commit.Take(20).All(char.IsAsciiHexDigitLower) ? "git:" + commit[..20] : "unknown";
    }
}
