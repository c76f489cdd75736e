namespace Dstack.Attestation.Formats;

/// <summary>The quote variant of a versioned attestation (V0 variant byte; V1 <c>platform.kind</c>).</summary>
public enum AttestationPlatform
{
    /// <summary>Intel TDX under dstack (<c>tdx</c>).</summary>
    DstackTdx = 0,

    /// <summary>TDX on Google Cloud with a vTPM quote (<c>gcp-tdx</c>).</summary>
    DstackGcpTdx = 1,

    /// <summary>AWS Nitro Enclave (<c>nitro-enclave</c>).</summary>
    DstackNitroEnclave = 2,

    /// <summary>AMD SEV-SNP (<c>sev-snp</c>).</summary>
    DstackAmdSevSnp = 3,

    /// <summary>AWS NitroTPM (<c>aws-nitro-tpm</c>).</summary>
    DstackAwsNitroTpm = 4,
}
