namespace Dstack.Kms.Configuration;

/// <summary>The DCAP root of trust for caller quotes.</summary>
internal sealed class TrustRootOptions
{
    /// <summary>Kind value for Intel's production SGX root CA.</summary>
    public const string Intel = "intel";

    /// <summary>Kind value for the mock root of a simulated TD.</summary>
    public const string Simulated = "simulated";

    /// <summary><c>intel</c> (default) or <c>simulated</c>.</summary>
    public string Kind { get; set; } = Intel;

    /// <summary>State directory of the simulated TD whose mock DCAP root is trusted (required with <c>simulated</c>).</summary>
    public string? SimulatedStateDirectory { get; set; }
}
