using Dstack.Attestation.Simulation;
using Dstack.Kms.Configuration;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Hosting;

/// <summary>Owns the simulated TD the KMS runs in when <c>Tdx:Device</c> is <c>simulated</c>.</summary>
internal sealed class SimulatedTdHandle(IOptions<KmsOptions> options, TimeProvider timeProvider) : IDisposable
{
    private readonly Lazy<SimulatedTd> _td = new(() => SimulatedTd.Open(options.Value.Tdx.StateDirectory!, timeProvider));

    /// <summary>The simulated TD.</summary>
    public SimulatedTd Td => _td.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_td.IsValueCreated)
        {
            _td.Value.Dispose();
        }
    }
}
