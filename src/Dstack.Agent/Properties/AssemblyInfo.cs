using System.Runtime.Versioning;

// The agent runs inside a Linux CVM: Unix sockets, SO_PEERCRED, statx, sd_notify.
[assembly: SupportedOSPlatform("linux")]
