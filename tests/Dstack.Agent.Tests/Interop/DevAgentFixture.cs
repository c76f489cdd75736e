using Dstack.Agent.Dev;
using Dstack.Agent.Tests.Support;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Interop;

/// <summary>One <c>dstack-agent dev</c> daemon shared by the SDK tests of a class.</summary>
public sealed class DevAgentFixture : IAsyncLifetime
{
    private DevAgent? _agent;

    public DevAgent Agent => _agent ?? throw new InvalidOperationException("not started");

    /// <summary>The key material the dev daemon derives, computed here independently of the daemon.</summary>
    internal DevKeyMaterial Keys { get; private set; } = null!;

    internal DevState State { get; private set; } = null!;

    internal AppKeyService KeyService { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DSTACK_SIMULATOR_ENDPOINT"] = Agent.DstackSocket,
        ["TAPPD_SIMULATOR_ENDPOINT"] = Agent.TappdSocket,
    };

    public async Task InitializeAsync()
    {
        _agent = await DevAgent.StartAsync();
        // the SDKs' isReachable gives a probe 500 ms: answer the probed methods once before the scripts run, so that a
        // loaded CI machine's first-call JIT cost is not taken for an unreachable agent
        (await UnixSocketHttp.GetJsonAsync(Agent.DstackSocket, "/Info")).Dispose();
        (await UnixSocketHttp.GetJsonAsync(Agent.DstackSocket, "/prpc/Tappd.Info")).Dispose();
        (await UnixSocketHttp.GetJsonAsync(Agent.TappdSocket, "/prpc/Tappd.Info")).Dispose();
        State = DevState.Prepare(Agent.StateDirectory);
        Keys = DevKeyMaterial.Derive(State.KeySeed, State.AppId, State.InstanceId, LibSecp256k1.Instance);
        KeyService = new AppKeyService(Keys.App.K256Key.Span, Keys.App.K256Signature.Span, LibSecp256k1.Instance);
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}
