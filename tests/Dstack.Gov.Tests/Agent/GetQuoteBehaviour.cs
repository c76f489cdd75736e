namespace Dstack.Gov.Tests.Agent;

/// <summary>How <see cref="InfoResponder"/> answers <c>GET /GetQuote</c>.</summary>
/// <param name="VmConfig">The vm_config to serve instead of the simulated TD's own (e.g. another image's).</param>
/// <param name="ReplayedReportData">
/// When set, the request's report_data is ignored: the quote is over these bytes and they are echoed (a replayed answer).
/// </param>
public sealed record GetQuoteBehaviour(string? VmConfig = null, byte[]? ReplayedReportData = null);
