using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>A <see cref="KmsClient"/> and the transport it owns.</summary>
internal sealed class KmsConnection(UnaryClient client) : IDisposable
{
    public KmsClient Client { get; } = new(client);

    public static DateTimeOffset Deadline() => DateTimeOffset.UtcNow.AddSeconds(30);

    public void Dispose() => client.Dispose();
}
