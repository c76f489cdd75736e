using Google.Protobuf;

namespace Dstack.Rpc.Tests.Support;

internal static class MessageTestExtensions
{
    public static byte[] ToByteArrayForTest(this IMessage message) => message.ToByteArray();
}
