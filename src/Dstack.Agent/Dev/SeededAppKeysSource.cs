using System.Security.Cryptography;
using Dstack.Agent.Identity;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Keys;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Agent.Dev;

/// <summary>
/// The app keys of <c>dstack-agent dev</c>: <see cref="DevKeyMaterial"/> from the state directory's seed, and a
/// self-signed app CA certificate (<c>O=Dstack, CN=Dstack Dev App CA</c>, pathlen 0) for the derived app CA key,
/// created once and kept in <c>app-ca.pem</c> so that chains stay the same across restarts. A KMS-backed source
/// replaces this one when the agent gets its keys from a KMS.
/// </summary>
internal sealed class SeededAppKeysSource(DevState state, ISecp256k1 secp256k1, TimeProvider timeProvider) : IAppKeysSource
{
    private readonly Lazy<AppKeys> _keys = new(() => Load(state, secp256k1, timeProvider), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <inheritdoc />
    public Task<AppKeys> GetAsync(CancellationToken cancellationToken) => Task.FromResult(_keys.Value);

    private static AppKeys Load(DevState state, ISecp256k1 secp256k1, TimeProvider timeProvider)
    {
        var material = DevKeyMaterial.Derive(state.KeySeed, state.AppId, state.InstanceId, secp256k1);
        return new AppKeys
        {
            KeyService = new AppKeyService(material.App.K256Key.Span, material.App.K256Signature.Span, secp256k1),
            CertificateAuthority = new AppCertificateAuthority(LoadOrCreateCertificate(state, material.AppCaKey, timeProvider), material.AppCaKey),
            DiskCryptKey = material.App.DiskCryptKey,
            EnvCryptKey = material.App.EnvCryptKey,
        };
    }

    private static string LoadOrCreateCertificate(DevState state, byte[] caKey, TimeProvider timeProvider)
    {
        var path = state.PathOf(DevState.CaCertificateFileName);
        var expectedKey = P256KeyEncoding.SubjectPublicKeyInfoOf(caKey);
        if (File.Exists(path))
        {
            var pem = File.ReadAllText(path);
            try
            {
                using var existing = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
                if (existing.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expectedKey))
                {
                    return pem;
                }
            }
            catch (CryptographicException)
            {
                // replaced below
            }
        }

        using var key = P256KeyEncoding.CreateECDsa(caKey);
        using var certificate = new RaTlsCertificateBuilder(timeProvider).IssueSelfSigned(key, new RaTlsCertificateOptions
        {
            Subject = "Dstack Dev App CA",
            OrganizationName = "Dstack",
            IsCertificateAuthority = true,
            PathLength = 0,
            SpecialUsage = "app:ca",
            AppId = state.AppId,
        });
        var created = new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";
        File.WriteAllText(path, created);
        return created;
    }
}
