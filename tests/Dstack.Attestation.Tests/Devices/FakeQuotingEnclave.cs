using Dstack.Attestation.Simulation;

namespace Dstack.Attestation.Tests.Devices;

/// <summary>Test-only quoting step: returns "QUOTE:" followed by the TDREPORT it was given.</summary>
internal sealed class FakeQuotingEnclave : IQuotingEnclave
{
    public static readonly byte[] Marker = "QUOTE:"u8.ToArray();

    public byte[] CreateQuote(ReadOnlySpan<byte> tdReport) => [.. Marker, .. tdReport];
}
