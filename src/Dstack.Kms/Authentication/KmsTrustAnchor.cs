using Dstack.Attestation.Dcap;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Collateral;

namespace Dstack.Kms.Authentication;

/// <summary>The DCAP root caller quotes must chain to, whether it is the simulated one, and where collateral comes from.</summary>
internal sealed class KmsTrustAnchor : IDisposable
{
    private readonly MockDcapPki? _ownedPki;

    private KmsTrustAnchor(TrustRoot root, ICollateralSource collateral, MockDcapPki? pki, bool ownsPki)
    {
        Root = root;
        Collateral = collateral;
        Pki = pki;
        _ownedPki = ownsPki ? pki : null;
    }

    /// <summary>The trust root.</summary>
    public TrustRoot Root { get; }

    /// <summary>True for the mock root of a simulated TD; the dev policy requires it and production refuses it.</summary>
    public bool IsSimulated => Pki is not null;

    /// <summary>The mock PKI of a simulated root (it signs the simulated platform's collateral); null for Intel's root.</summary>
    public MockDcapPki? Pki { get; }

    /// <summary>In-process collateral for TCB evaluation (tests); the KMS host fetches it from a PCCS instead (<c>Collateral</c> keys).</summary>
    public ICollateralSource Collateral { get; }

    /// <summary>Intel's production root; no in-process collateral.</summary>
    public static KmsTrustAnchor Intel() => new(TrustRoot.IntelSgxRootCa, new NoCollateralSource(), null, ownsPki: false);

    /// <summary>The mock root of the simulated TD in <paramref name="stateDirectory"/> (which must exist), with generated collateral.</summary>
    public static KmsTrustAnchor Simulated(string stateDirectory, TimeProvider timeProvider)
    {
        var pki = new MockDcapPki(MockAttestationSeed.Load(stateDirectory));
        return new KmsTrustAnchor(pki.TrustRoot, new SimulatedCollateralSource(pki, timeProvider), pki, ownsPki: true);
    }

    /// <summary>A simulated anchor over an existing PKI (tests); the PKI stays owned by the caller.</summary>
    public static KmsTrustAnchor Simulated(MockDcapPki pki, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(pki);
        return new KmsTrustAnchor(pki.TrustRoot, new SimulatedCollateralSource(pki, timeProvider), pki, ownsPki: false);
    }

    /// <inheritdoc />
    public void Dispose() => _ownedPki?.Dispose();
}
