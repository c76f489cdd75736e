using Dstack.Attestation.Simulation;

namespace Dstack.LocalStack;

/// <summary>
/// Gives the VM's simulated TD the mock DCAP PKI of the KMS's (the same seed file), so that the quotes the VM presents
/// verify under the root the KMS trusts (<c>TrustRoot:Kind simulated</c> over the KMS's TD directory).
/// </summary>
internal static class SharedTrustRoot
{
    /// <summary>Creates the KMS TD's seed if needed and copies it to the VM TD; returns a description of the root.</summary>
    /// <exception cref="LocalStackException">The two directories already hold different seeds.</exception>
    public static string Share(LocalStackLayout layout)
    {
        var seed = MockAttestationSeed.LoadOrCreate(layout.KmsTd);
        var vmSeed = Path.Combine(layout.VmTd, MockAttestationSeed.FileName);
        if (!File.Exists(vmSeed))
        {
            Directory.CreateDirectory(layout.VmTd);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            using var stream = new FileStream(vmSeed, options);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToHexStringLower(seed));
        }
        else if (!MockAttestationSeed.Load(layout.VmTd).AsSpan().SequenceEqual(seed))
        {
            throw new LocalStackException(
                $"{layout.VmTd} and {layout.KmsTd} have different mock DCAP roots, so the KMS would not trust the VM's quotes; delete {layout.Root} to start afresh");
        }

        using var pki = new MockDcapPki(seed);
        return $"{pki.TrustRoot.Name} (public key sha256 {pki.TrustRoot.PublicKeyFingerprint})";
    }
}
