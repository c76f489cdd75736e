using System.Net;
using System.Net.Sockets;

namespace Dstack.Tests;

/// <summary>Loopback TCP ports for daemons whose configuration needs a fixed port.</summary>
internal static class TcpPorts
{
    /// <summary>A port that was free a moment ago (the OS picked it); bind it soon.</summary>
    public static int GetFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
