using Dstack.Attestation.Dcap;
using Dstack.Attestation.Simulation;

namespace Dstack.Kms.Authentication;

/// <summary>The DCAP root caller quotes must chain to, whether it is the simulated one, and where collateral comes from.</summary>
internal sealed class KmsTrustAnchor : IDisposable
{
    private readonly MockDcapPki? _pki;

    private KmsTrustAnchor(TrustRoot root, bool isSimulated, ICollateralSource collateral, MockDcapPki? pki)
    {
        Root = root;
        IsSimulated = isSimulated;
        Collateral = collateral;
        _pki = pki;
    }

    /// <summary>The trust root.</summary>
    public TrustRoot Root { get; }

    /// <summary>True for the mock root of a simulated TD; the dev policy requires it and production refuses it.</summary>
    public bool IsSimulated { get; }

    /// <summary>Collateral for TCB evaluation.</summary>
    public ICollateralSource Collateral { get; }

    /// <summary>Intel's production root; no collateral source yet (TCB status <c>Unknown</c>).</summary>
    public static KmsTrustAnchor Intel() => new(TrustRoot.IntelSgxRootCa, false, new NoCollateralSource(), null);

    /// <summary>The mock root of the simulated TD in <paramref name="stateDirectory"/> (which must exist), with generated collateral.</summary>
    public static KmsTrustAnchor Simulated(string stateDirectory, TimeProvider timeProvider)
    {
        var pki = new MockDcapPki(MockAttestationSeed.Load(stateDirectory));
        return new KmsTrustAnchor(pki.TrustRoot, true, new SimulatedCollateralSource(pki, timeProvider), pki);
    }

    /// <summary>A simulated anchor over an existing PKI (tests); the PKI stays owned by the caller.</summary>
    public static KmsTrustAnchor Simulated(MockDcapPki pki, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(pki);
        return new KmsTrustAnchor(pki.TrustRoot, true, new SimulatedCollateralSource(pki, timeProvider), null);
    }

    /// <inheritdoc />
    public void Dispose() => _pki?.Dispose();
}
