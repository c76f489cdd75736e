namespace Dstack.Attestation.Simulation;

/// <summary>
/// The quoting step of a simulated TD: turns a 1024-byte TDREPORT (layout of spec tdx-boot §1.6) into a signed
/// TDX v4 DCAP quote, as the Intel TD Quoting Enclave does on real hardware.
/// </summary>
public interface IQuotingEnclave
{
    /// <summary>Builds and signs a quote over the TD report body taken from <paramref name="tdReport"/>.</summary>
    byte[] CreateQuote(ReadOnlySpan<byte> tdReport);
}
