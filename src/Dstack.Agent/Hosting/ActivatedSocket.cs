using Dstack.Agent.Transport;

namespace Dstack.Agent.Hosting;

/// <summary>A listening socket file descriptor handed to Kestrel, and where it came from.</summary>
/// <param name="Kind">Which API it serves.</param>
/// <param name="FileDescriptor">The listening fd (owned by Kestrel once handed over).</param>
/// <param name="Description">The path or the systemd name, for logs.</param>
/// <param name="OwnedPath">The socket file the agent created and removes at shutdown, or null.</param>
internal sealed record ActivatedSocket(ListenerKind Kind, int FileDescriptor, string Description, string? OwnedPath);
