using Dstack.Attestation.EventLog;

namespace Dstack.Gov.Agent;

/// <summary>The agent's <c>GetQuote</c> answer to a fresh nonce, as received (nothing is checked yet).</summary>
/// <param name="Nonce">The 64 random bytes sent as <c>report_data</c>.</param>
/// <param name="ReportData">The <c>report_data</c> the agent echoed, or null if absent.</param>
/// <param name="Quote">The TDX quote, or null if absent.</param>
/// <param name="Events">The event log (boot and runtime events).</param>
/// <param name="VmConfig">The <c>vm_config</c> JSON, or null if absent.</param>
internal sealed record AgentQuote(byte[] Nonce, byte[]? ReportData, byte[]? Quote, IReadOnlyList<TdxEvent> Events, string? VmConfig);
