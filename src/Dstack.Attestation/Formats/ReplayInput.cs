using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>What a replay input contained: the events and, if the input carried them, the quote and the <c>vm_config</c>.</summary>
/// <param name="Events">The event log, in order.</param>
/// <param name="Quote">The embedded quote, or null.</param>
/// <param name="Source">Which input form was recognised (for messages).</param>
/// <param name="VmConfig">The <c>vm_config</c> JSON of a GetQuote response or an attestation, or null.</param>
public sealed record ReplayInput(IReadOnlyList<TdxEvent> Events, byte[]? Quote, string Source, string? VmConfig = null);
