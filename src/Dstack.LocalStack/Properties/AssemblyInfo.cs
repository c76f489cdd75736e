using System.Runtime.Versioning;

// The local stack hosts the agent, which runs only on Linux (Unix sockets, SO_PEERCRED, statx).
[assembly: SupportedOSPlatform("linux")]
