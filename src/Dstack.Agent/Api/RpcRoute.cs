using Dstack.Agent.Methods;
using Dstack.Agent.Transport;

namespace Dstack.Agent.Api;

/// <summary>A request path resolved to a service and a bare method name (which may still be unknown).</summary>
/// <param name="Service">The service the path addresses.</param>
/// <param name="Method">The method name, case-sensitive, prefix trimmed.</param>
internal readonly record struct RpcRoute(RpcService Service, string Method)
{
    private const string PrpcPrefix = "/prpc/";
    private const string TappdPrefix = "Tappd.";

    /// <summary>
    /// Maps a (decoded) request path to a route, or null when the path does not have the route shape (→ 404).
    /// dstack.sock: <c>/&lt;Method&gt;</c>, one segment. tappd.sock: <c>/prpc/&lt;Method&gt;</c> with any number of
    /// leading <c>Tappd.</c> trimmed. dstack.sock also answers <c>/prpc/Tappd.Info</c> (older SDKs probe it in
    /// <c>isReachable</c>; DESIGN.md §2), and only that Tappd method.
    /// </summary>
    public static RpcRoute? Resolve(ListenerKind listener, string path)
    {
        if (listener == ListenerKind.Dstack)
        {
            if (path.StartsWith(PrpcPrefix, StringComparison.Ordinal))
            {
                var legacy = TrimTappd(path[PrpcPrefix.Length..]);
                return legacy == "Info" ? new RpcRoute(RpcService.Tappd, legacy) : null;
            }

            return Segment(path, 1) is { } method ? new RpcRoute(RpcService.DstackGuest, method) : null;
        }

        if (!path.StartsWith(PrpcPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        return Segment(path, PrpcPrefix.Length) is { } segment ? new RpcRoute(RpcService.Tappd, TrimTappd(segment)) : null;
    }

    private static string? Segment(string path, int start)
    {
        if (path.Length <= start || path[start - 1] != '/')
        {
            return null;
        }

        var segment = path[start..];
        return segment.Contains('/', StringComparison.Ordinal) ? null : segment;
    }

    private static string TrimTappd(string name)
    {
        while (name.StartsWith(TappdPrefix, StringComparison.Ordinal))
        {
            name = name[TappdPrefix.Length..];
        }

        return name;
    }
}
