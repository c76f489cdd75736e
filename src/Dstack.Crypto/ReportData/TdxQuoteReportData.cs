namespace Dstack.Crypto.ReportData;

/// <summary>Result of the legacy Tappd <c>TdxQuote</c> report-data rule.</summary>
/// <param name="ReportData">The 64 REPORTDATA bytes.</param>
/// <param name="HashAlgorithm">The effective algorithm echoed in the response (<c>sha512</c> when none was given).</param>
/// <param name="Prefix">The tag echoed in the response, without colon (<c>""</c> for raw).</param>
public sealed record TdxQuoteReportData(ReadOnlyMemory<byte> ReportData, string HashAlgorithm, string Prefix);
