using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Tests.EventLog;

public class RuntimeEventDigestTests
{
    [Theory]
    [InlineData("system-preparing", "", "f9974020ef507068183313d0ca808e0d1ca9b2d1ad0c61f5784e7157c362c06536f5ddacdad4451693f48fcc72fff624")]
    [InlineData("boot-mr-done", "", "98bd7e6bd3952720b65027fd494834045d06b4a714bf737a06b874638b3ea00ff402f7f583e3e3b05e921c8570433ac6")]
    [InlineData("system-ready", "", "1a76b2a80a0be71eae59f80945d876351a7a3fb8e9fd1ff1cede5734aa84ea11fd72b4edfbb6f04e5a85edd114c751bd")]
    [InlineData("storage-fs", "zfs", "ba51104636900268b0e059fa3d266419d079d1e94aea26fb9fcbb8d764bf4c89a67ac271b8a0d1a3989945132a111fc7")]
    [InlineData("storage-fs", "ext4", "94eb1c817c35f570ca895b48b46e656e696d1a126581e70022f6f93a8c64d026ece224c6bffbe3bfdfe00bb3447adcd0")]
    public void V1_table_from_the_spec(string name, string payload, string digest)
        => Assert.Equal(digest, Convert.ToHexStringLower(RuntimeEventDigest.Compute(name, Encoding.UTF8.GetBytes(payload), 1)));

    [Fact]
    public void V2_table_from_the_spec()
    {
        Assert.Equal("{\"name\":\"system-preparing\",\"payload\":\"\",\"type\":134217729}", Encoding.UTF8.GetString(RuntimeEventDigest.V2Preimage("system-preparing", [])));
        Assert.Equal("918e390aef67de4520d37d7e046dd222038e0a8385825072383ab194543ffa3046a9a48fdabbc16e6ba9ff24249ba88f",
            Convert.ToHexStringLower(RuntimeEventDigest.Compute("system-preparing", [], 2)));
    }

    [Fact]
    public void Vectors_from_test_vectors_json()
    {
        var vectors = TestVectors.Root.GetProperty("runtime_event_digest").EnumerateArray().ToList();
        Assert.Equal(2, vectors.Count);
        foreach (var v in vectors)
        {
            var version = v.GetProperty("version").GetInt32();
            var name = v.GetProperty("event").GetString()!;
            var payload = TestVectors.Hex(v.GetProperty("payload").GetString()!);
            var preimage = RuntimeEventDigest.Preimage(name, payload, version);
            if (version == 1)
            {
                Assert.Equal(v.GetProperty("preimage").GetString(), Convert.ToHexStringLower(preimage));
            }
            else
            {
                Assert.Equal(v.GetProperty("preimage_utf8").GetString(), Encoding.UTF8.GetString(preimage));
            }

            Assert.Equal(v.GetProperty("sha384").GetString(), Convert.ToHexStringLower(RuntimeEventDigest.Compute(name, payload, version)));
        }
    }

    [Fact]
    public void V2_escapes_exactly_as_jcs()
    {
        var name = "a\"b\\c\b\f\n\r\t\u0001\u001f\u007f/<>é😀";
        var expected = "{\"name\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u007f/<>é😀\",\"payload\":\"00ff\",\"type\":134217729}";
        var preimage = RuntimeEventDigest.V2Preimage(name, [0x00, 0xff]);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), preimage);
        Assert.Equal(SHA384.HashData(preimage), RuntimeEventDigest.Compute(name, [0x00, 0xff], 2));
    }

    [Fact]
    public void Lone_surrogate_and_unknown_version_are_typed_errors()
    {
        Assert.Throws<EventLogFormatException>(() => RuntimeEventDigest.Compute("bad\ud800", [], 1));
        Assert.Throws<EventLogFormatException>(() => RuntimeEventDigest.Compute("x", [], 3));
    }
}
