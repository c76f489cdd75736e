namespace Dstack.Kms.Configuration;

/// <summary>The root-key directory (kms.md §2.1).</summary>
internal sealed class KeyStoreOptions
{
    /// <summary>Directory of <c>root-ca.key</c>, <c>root-k256.key</c> and the rest; default <c>/etc/kms/certs</c>.</summary>
    public string Directory { get; set; } = "/etc/kms/certs";
}
